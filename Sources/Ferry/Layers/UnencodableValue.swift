/// A value with a character the output encoding cannot represent.
struct UnencodableValue: Error {
    var field: Int
    var character: Character
    var encoding: TextEncoding
}
