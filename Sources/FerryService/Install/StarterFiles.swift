/// The files `ferry init` writes: every setting of `ferry.yaml` with its default, and one small template
/// that runs on its own (no lookup files, no references to other flows).
enum StarterFiles {
    static let config = """
    # Ferry workspace settings. Every key but version is optional; the commented values are the defaults.
    # Reference: the README's "Workspace settings (ferry.yaml)" section, `man ferry`.
    version: 1

    # The templates folder, relative to this workspace.
    templates: templates

    # limits:
    #   max_decompressed_size: 16 GiB   # per input, all members of a zip/tar/gzip together
    #   max_compression_ratio: 250      # a bomb guard, checked once 64 MiB are out

    # watch:                            # ferry watch; its flags override these
    #   settle: 5                       # seconds a file must stay unchanged before it is taken
    #   done_marker: false              # true: take data.csv only once data.csv.done (or .ok) exists
    #   workers: 2                      # files processed at the same time (default: the number of cores)
    #   poll: false                     # true: poll instead of inotify (network file systems are polled anyway)
    #   scan_interval: 2                # seconds between full scans of the inbox
    #   max_outbox: 1000                # stop taking inputs while outbox/ holds more packages (0: no limit)
    #   max_interruptions: 3            # quarantine content in failed/ after this many crashes on it

    # intake:
    #   hard_links: refuse              # accept: take inbox files that have other hard links

    # http: 127.0.0.1:9464              # ferry watch serves /metrics, /healthz, /readyz and a status page at /
    # http:                             # the same, bound beyond loopback: retrying failed files from the page needs a token
    #   listen: 0.0.0.0:9464
    #   token_file: /etc/ferry/http-token

    # notify:                           # webhooks: a JSON POST per event, retried with backoff
    #   - url: https://hooks.example.com/ferry
    #     on: [failed, quarantined, delivery-waiting]
    #     headers: {Authorization: Bearer abc}

    """

    static let template = """
    # A starter template: accounts exported from Dynamics 365 Sales -> "Customers V3" in Finance and Operations.
    # Try it:  cp examples/accounts.csv inbox/ && ferry run   (then look in outbox/, archive/ and failed/)
    # Check a change:  ferry check templates/accounts-to-customers.yaml
    # Preview its rows:  ferry preview examples/accounts.csv --template templates/accounts-to-customers.yaml
    version: 1
    description: Sales accounts become F&O customers, keyed by account number.
    takes:
      - accounts*.csv                  # also accounts*.csv.gz
      - accounts*.xml

    source:
      record: /accounts/account        # XML exports: the repeating element
      table: account                   # columns by logical name (accountnumber) or display name (Account Number)

    target:
      system: finance-and-operations
      entity: CustCustomerV3Entity
      label: Customers V3
      name: customers                  # outbox/customers-<input>-<UTC time>.zip

    # Only active accounts become customers; the others are counted as filtered.
    filter: statecode == 0

    key: CUSTOMERACCOUNT
    duplicates: reject

    fields:
      CUSTOMERACCOUNT: 'accountnumber | trim | required "the account has no account number: give it one in Sales and export again" | max 20'
      ORGANIZATIONNAME: name | trim | required | truncate 100
      PARTYTYPE: "Organization"
      CUSTOMERGROUPID: customertypecode | trim | map customer_group
      SALESCURRENCYCODE: '"EUR"'
      ADDRESSCITY: address1_city | trim | title
      ADDRESSZIPCODE: address1_postalcode | trim
      ADDRESSCOUNTRYREGIONID: address1_country | trim | upper | map countries
      PRIMARYCONTACTEMAIL: emailaddress1 | trim | lower

    maps:
      # Sales relationship type -> F&O customer group (the groups must exist in the company).
      customer_group:
        "3": "10"    # Customer
        "5": "20"    # Partner
        "8": "30"    # Prospect
        "*": "90"    # anything else
      # ISO alpha-2 -> F&O's alpha-3 country/region ids; a country missing here rejects the row.
      countries:
        DE: DEU
        HU: HUN
        PL: POL
        US: USA

    # The whole file fails when more than a quarter of its rows are rejected.
    max_rejects: 25%

    """

    static let example = """
    accountid,accountnumber,name,emailaddress1,address1_city,address1_postalcode,address1_country,customertypecode,statecode
    b627ef1d-8e91-579a-21c3-a39e50c19172,ACC-00001,Árvíztűrő Kft.,info@example.hu,budapest,1051,HU,3,0
    f7517cbc-2796-9b14-2a67-7c0b6f945d78,ACC-00002,Contoso Ltd.,Sales@Contoso.example,warszawa,00-001,PL,5,0
    0d2c1a57-3f4b-4c1e-9a55-6a1f0e1b2c3d,ACC-00003,Fabrikam GmbH,office@fabrikam.example,münchen,80331,DE,8,0
    5e8f9a10-7b6c-4d3e-8f21-0a9b8c7d6e5f,ACC-00004,Old Partner Inc.,old@example.com,boston,02110,US,5,1

    """
}
