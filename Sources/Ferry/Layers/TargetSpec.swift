/// What the output is and for which system.
public struct TargetSpec: Sendable, Equatable {
    public enum System: String, Sendable {
        case financeAndOperations = "finance-and-operations"
        case sales
        /// Any other system: a data file in the format the template describes.
        case file
        /// Nothing is written: the input is a reference export whose rows only teach keys (`learn:`).
        case reference
    }

    public var system: System
    /// F&O: the AOT entity name (`CustCustomerV3Entity`). Sales: the table's logical name (`product`).
    public var entity: String
    /// F&O: the Data management entity label (`Customers V3`), which also names the data file.
    public var label: String
    /// Prefix of output names (`customers` -> `customers-accounts-20261125T120000Z.zip`).
    public var outputName: String
    /// The data file's layout (for F&O, the file inside the package).
    public var format: OutputFormat
    public var definitionGroup: String
    /// Sales: the header names the table's logical names instead of its display names.
    public var logicalHeaders = false
}
