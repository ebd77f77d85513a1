/// The public field names Ferry knows for the Prospect-to-cash target entities, so `ferry check` can
/// catch a misspelt target field before F&O or Dataverse refuses the import. Sources: ../shared/P2C.md
/// and the entities' public Common Data Model definitions. An entity missing here is not checked.
public enum EntityCatalogue {
    static let fields: [String: Set<String>] = [
        "CustCustomerV3Entity": [
            "CUSTOMERACCOUNT", "ORGANIZATIONNAME", "PARTYTYPE", "CUSTOMERGROUPID", "SALESCURRENCYCODE", "LANGUAGEID",
            "ADDRESSSTREET", "ADDRESSCITY", "ADDRESSZIPCODE", "ADDRESSSTATE", "ADDRESSCOUNTRYREGIONID", "PRIMARYCONTACTPHONE",
            "PRIMARYCONTACTEMAIL", "PRIMARYCONTACTURL", "PAYMENTTERMS", "DELIVERYMODE", "NAMEALIAS", "SALESTAXGROUP",
            "PERSONFIRSTNAME", "PERSONMIDDLENAME", "PERSONLASTNAME",
        ],
        "smmContactPersonV2Entity": [
            "CONTACTPERSONID", "CONTACTPERSONPARTYNUMBER", "ASSOCIATEDPARTYNUMBER", "ASSOCIATEDCONTACTTYPE", "ASSOCIATEDCONTACTNUMBER",
            "FIRSTNAME", "MIDDLENAME", "LASTNAME", "GENDER", "EMPLOYMENTPROFESSION", "EMPLOYMENTDEPARTMENT", "PRIMARYEMAILADDRESS",
            "PRIMARYPHONENUMBER", "PRIMARYURL", "PRIMARYADDRESSSTREET", "PRIMARYADDRESSCITY", "PRIMARYADDRESSZIPCODE",
            "PRIMARYADDRESSSTATEID", "PRIMARYADDRESSCOUNTRYREGIONID", "ISINACTIVE", "ISCONTACTPERSONEXTERNALLYMAINTAINED",
            "DECISIONMAKINGROLECODE", "NOTES",
        ],
        "SalesQuotationHeaderV2Entity": [
            "SALESQUOTATIONNUMBER", "REQUESTINGCUSTOMERACCOUNTNUMBER", "INVOICECUSTOMERACCOUNTNUMBER", "CURRENCYCODE", "LANGUAGEID",
            "SALESQUOTATIONNAME", "SALESQUOTATIONSTATUS", "SALESQUOTATIONEXPIRYDATE", "REQUESTEDSHIPPINGDATE", "RECEIPTDATEREQUESTED",
            "CUSTOMERSREFERENCE", "DELIVERYADDRESSSTREET", "DELIVERYADDRESSCITY", "DELIVERYADDRESSZIPCODE",
            "DELIVERYADDRESSCOUNTRYREGIONID", "DEFAULTSHIPPINGSITEID", "DEFAULTSHIPPINGWAREHOUSEID", "PAYMENTTERMSNAME",
            "DELIVERYMODECODE", "DELIVERYTERMSCODE", "EMAIL",
        ],
        "SalesQuotationLineV2Entity": [
            "SALESQUOTATIONNUMBER", "LINECREATIONSEQUENCENUMBER", "ITEMNUMBER", "LINEDESCRIPTION", "REQUESTEDSALESQUANTITY",
            "SALESPRICE", "SALESUNITSYMBOL", "LINEDISCOUNTAMOUNT", "LINEDISCOUNTPERCENTAGE", "LINEAMOUNT", "SHIPPINGSITEID",
            "SHIPPINGWAREHOUSEID", "REQUESTEDSHIPPINGDATE",
        ],
        "product": [
            "productnumber", "name", "description", "defaultuomid", "defaultuomscheduleid", "price", "producttypecode",
            "pricelevelid", "statecode", "quantitydecimal", "currentcost", "standardcost", "productstructure",
        ],
    ]

    /// The known fields of an entity, or nil when Ferry has no list for it.
    public static func fields(of entity: String) -> Set<String>? { fields[entity] }
}
