import Testing
@testable import Ferry

@Suite("output names")
struct OutputNameTests {
    @Test("parts become slugs: no spaces or unsafe characters, letters of any script and . _ - kept", arguments: [
        ("Sellable released products", "Sellable-released-products"),
        ("accounts-hu", "accounts-hu"),
        ("  Q4 (final) & more ", "Q4-final-more"),
        ("ügyfelek_2026.v2", "ügyfelek_2026.v2"),
        ("a/b\\c:d*e?f\"g<h>i|j", "a-b-c-d-e-f-g-h-i-j"),
        ("---", ""),
    ])
    func slug(text: String, expected: String) {
        #expect(OutputName.slug(text) == expected)
    }

    @Test("an empty part leaves no double dash")
    func emptyPart() {
        #expect(OutputName.compose("quotations", "", "20261125T120000Z") == "quotations-20261125T120000Z")
        #expect(OutputName.compose("products", "fo-sellable-released-products-Sellable released products", "20261125T120000Z")
                == "products-fo-sellable-released-products-Sellable-released-products-20261125T120000Z")
    }
}
