#!/usr/bin/env python3
"""Builds Ferry's entity catalogue from the public Common Data Model definitions (microsoft/CDM).

    scripts/catalogue/generate.py --cdm PATH [--rev REV]

PATH is a clone of https://github.com/microsoft/CDM (a work tree, or a bare git directory read with
`git show REV:path`). The script reads, for every entity Ferry writes or reads:
  - F&O data entities (schemaDocuments/core/operationsCommon/Entities/...): the AOT name, the Data
    management label (the entity's displayName), the public field names (UPPERCASE, as data files and
    DMF packages name them) and the fields the definition makes non-nullable;
  - Dataverse tables (schemaDocuments/core/applicationCommon/...): logical names, display names,
    requirement levels and option sets (choice values with their labels), following `extendsEntity`;
and merges scripts/catalogue/page-facts.json (what Microsoft's pages add: required fields, platform-set
columns, keys). It writes Sources/Ferry/Layers/EntityCatalogue+Definitions.swift. Same inputs, same bytes.
"""
import argparse, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUTPUT = os.path.join(ROOT, "Sources/Ferry/Layers/EntityCatalogue+Definitions.swift")

FO = "schemaDocuments/core/operationsCommon/Entities/"
FO_ENTITIES = {
    "CustCustomerV3Entity": "Finance/AccountsReceivable",
    "smmContactPersonV2Entity": "SupplyChain/SalesAndMarketing",
    "smmContactPersonCDSV2Entity": "SupplyChain/SalesAndMarketing",
    "SalesQuotationHeaderV2Entity": "SupplyChain/SalesAndMarketing",
    "SalesQuotationLineV2Entity": "SupplyChain/SalesAndMarketing",
    "SalesOrderHeaderV2Entity": "SupplyChain/SalesAndMarketing",
    "SalesOrderLineV2Entity": "SupplyChain/SalesAndMarketing",
    "SalesInvoiceHeaderV2Entity": "Finance/AccountsReceivable",
    "SalesInvoiceLineV2Entity": "Finance/AccountsReceivable",
    "EcoResSellableReleasedProductEntity": "SupplyChain/ProductInformationManagement",
    "EcoResReleasedProductV2Entity": "SupplyChain/ProductInformationManagement",
}
APP = "schemaDocuments/core/applicationCommon/"
# Dataverse logical name -> the most specific CDM document that defines the table.
DATAVERSE_TABLES = {
    "account": "foundationCommon/crmCommon/Account",
    "contact": "foundationCommon/crmCommon/Contact",
    "product": "foundationCommon/Product",
    "productpricelevel": "foundationCommon/crmCommon/sales/PriceListItem",
    "pricelevel": "foundationCommon/PriceList",
    "uom": "foundationCommon/Unit",
    "uomschedule": "foundationCommon/UnitGroup",
    "transactioncurrency": "Currency",
    "quote": "foundationCommon/crmCommon/sales/Quote",
    "quotedetail": "foundationCommon/crmCommon/sales/QuoteProduct",
    "salesorder": "foundationCommon/crmCommon/sales/Order",
    "salesorderdetail": "foundationCommon/crmCommon/sales/OrderProduct",
    "invoice": "foundationCommon/crmCommon/sales/Invoice",
    "invoicedetail": "foundationCommon/crmCommon/sales/InvoiceProduct",
}


class CDM:
    def __init__(self, path, rev):
        self.path, self.rev = path, rev
        self.bare = not os.path.isdir(os.path.join(path, "schemaDocuments"))

    def read(self, relative):
        if self.bare:
            text = subprocess.run(["git", "--git-dir", self.path, "show", f"{self.rev}:{relative}"],
                                  check=True, capture_output=True).stdout
        else:
            with open(os.path.join(self.path, relative), "rb") as f:
                text = f.read()
        return json.loads(text)

    def commit(self):
        args = ["git", "--git-dir", self.path] if self.bare else ["git", "-C", self.path]
        return subprocess.run(args + ["rev-parse", self.rev], check=True, capture_output=True, text=True).stdout.strip()


def fo_entity(cdm, name, folder):
    document = f"{FO}{folder}/{name}.cdm.json"
    data = cdm.read(document)
    definition = next(d for d in data["definitions"] if d.get("entityName") == name)
    fields, not_null = [], []
    for attribute in definition["hasAttributes"]:
        if "dataType" not in attribute:
            continue  # a relationship, not a field
        field = attribute["name"].upper()
        fields.append(field)
        if not attribute.get("isNullable", False):
            not_null.append(field)
    return {"label": definition["displayName"], "fields": fields, "not_null": not_null,
            "version": data.get("documentVersion", ""), "source": document}


def trait_argument(attribute, trait):
    for applied in attribute.get("appliedTraits", []):
        if isinstance(applied, dict) and applied.get("traitReference") == trait:
            return applied.get("arguments", [])
    return None


def column(attribute):
    """(logical name, display name, requirement level, option set) of one CDM attribute."""
    foreign = attribute.get("resolutionGuidance", {}).get("entityByReference", {}).get("foreignKeyAttribute")
    if "entity" in attribute and foreign:
        attribute = foreign
    if "sourceName" not in attribute:
        return None
    level = "none"
    arguments = trait_argument(attribute, "is.requiredAtLevel")
    if arguments:
        level = arguments[0].get("value", "none")
    options = {}
    data_type = attribute.get("dataType")
    if isinstance(data_type, dict):
        for applied in data_type.get("appliedTraits", []):
            if isinstance(applied, dict) and applied.get("traitReference") == "does.haveDefault":
                for value in applied["arguments"][0]["entityReference"]["constantValues"]:
                    options[value[2]] = value[1]
    return attribute["sourceName"], attribute.get("displayName", attribute["sourceName"]), level, options


def well_known_groups(cdm):
    """Attribute groups that table definitions name by name (the owner, the customer lookup)."""
    data = cdm.read("schemaDocuments/core/wellKnownCDSAttributeGroups.cdm.json")
    groups = {d["attributeGroupName"]: d.get("members", []) for d in data["definitions"] if "attributeGroupName" in d}
    # CdsStandard, which most Dataverse tables extend, is a list of such groups: created/modified by and on, owner,
    # time zone, version number.
    for d in data["definitions"]:
        if d.get("entityName") == "CdsStandard":
            groups["CdsStandard"] = d.get("hasAttributes", [])
    return groups


def members_of(member, groups):
    if isinstance(member, str):
        return [m for inner in groups.get(member, []) for m in members_of(inner, groups)]
    found = column(member)
    if not found:
        return []
    result = [found]
    selected = member.get("resolutionGuidance", {}).get("selectsSubAttribute", {}).get("selectedTypeAttribute")
    if selected and column(selected):
        result.append(column(selected))
    return result


def dataverse_table(cdm, document, groups):
    """The columns of the table whose most specific definition is `document`, base definitions first."""
    path = f"{APP}{document}.cdm.json"
    data = cdm.read(path)
    folder = os.path.dirname(path)
    definition = next(d for d in data["definitions"] if "entityName" in d)
    columns = {}
    base = definition.get("extendsEntity")
    if isinstance(base, str) and base.startswith("base_"):
        moniker = base.split("/")[0]
        imports = cdm.read(f"{folder}/_allImports.cdm.json")["imports"]
        target = next(i["corpusPath"] for i in imports if i.get("moniker") == moniker)
        inherited, sources, base_display = dataverse_table(cdm, target.replace("/core/applicationCommon/", "").replace(".cdm.json", ""), groups)
        columns.update(inherited)
    else:
        sources, base_display = [], ""
        if base == "CdsStandard":
            for name, display, level, options in members_of("CdsStandard", groups):
                columns[name] = {"display": display, "required": level, **({"options": options} if options else {})}
    for group in definition.get("hasAttributes", []):
        members = group.get("attributeGroupReference", {}).get("members", []) if isinstance(group, dict) else []
        for member in members:
            for name, display, level, options in members_of(member, groups):
                columns[name] = {"display": display, "required": level, **({"options": options} if options else {})}
    return columns, sources + [path], definition.get("displayName") or base_display


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cdm", required=True, help="a clone of microsoft/CDM (work tree or git directory)")
    parser.add_argument("--rev", default="HEAD", help="the revision to read from a git directory (default HEAD)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the generated file would change")
    options = parser.parse_args()
    cdm = CDM(options.cdm, options.rev)
    with open(os.path.join(HERE, "page-facts.json"), encoding="utf-8") as f:
        facts = json.load(f)

    catalogue = {"cdm": f"microsoft/CDM@{cdm.commit()}", "fo": {}, "dataverse": {}}
    for name, folder in FO_ENTITIES.items():
        entity = fo_entity(cdm, name, folder)
        page = facts["fo"].get(name, {})
        mandatory = list(dict.fromkeys(entity["not_null"] + page.get("mandatory", [])))
        catalogue["fo"][name] = {
            "label": entity["label"], "fields": entity["fields"] + [f for f in page.get("extra_fields", []) if f not in entity["fields"]],
            "mandatory": mandatory, "keys": page.get("keys", []),
            "source": f"microsoft/CDM:{entity['source']} (documentVersion {entity['version']})"
                      + (f"; required fields: {page['mandatory_source']}" if "mandatory_source" in page else ""),
        }
    groups = well_known_groups(cdm)
    for logical, document in DATAVERSE_TABLES.items():
        columns, sources, display = dataverse_table(cdm, document, groups)
        page = facts["dataverse"].get(logical, {})
        for name, override in page.get("columns", {}).items():
            columns[name] = {**columns.get(name, {}), **{k: v for k, v in override.items() if k != "source"}}
        platform = set(page.get("platform_set", []))
        required = [name for name, c in columns.items()
                    if c["required"] in ("required", "systemrequired", "applicationrequired") and name not in platform]
        required += [name for name in page.get("user_required", []) if name not in required]
        catalogue["dataverse"][logical] = {
            "display": display, "columns": columns, "required": required,
            "source": "microsoft/CDM:" + ", ".join(sources)
                      + (f"; {page['user_required_source']}" if "user_required_source" in page else "")
            + "".join(f"; {name}: {o['source']}" for name, o in page.get("columns", {}).items()),
        }

    lines = [json.dumps({"cdm": catalogue["cdm"]})[:-1] + ',"fo":{']
    lines.append(",\n".join(json.dumps(k) + ":" + json.dumps(v, ensure_ascii=False, sort_keys=True) for k, v in catalogue["fo"].items()))
    lines.append('},"dataverse":{')
    lines.append(",\n".join(json.dumps(k) + ":" + json.dumps(v, ensure_ascii=False, sort_keys=True) for k, v in catalogue["dataverse"].items()))
    lines.append("}}")
    swift = ("// Generated by scripts/catalogue/generate.py from the public Common Data Model definitions\n"
             f"// ({catalogue['cdm']}) and scripts/catalogue/page-facts.json. Do not edit: run the script again.\n\n"
             "extension EntityCatalogue {\n    static let definitions = #\"\"\"\n" + "\n".join(lines) + "\n\"\"\"#\n}\n")
    if options.check:
        current = open(OUTPUT, encoding="utf-8").read() if os.path.exists(OUTPUT) else ""
        sys.exit(0 if current == swift else 1)
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(swift)
    print(f"wrote {os.path.relpath(OUTPUT, ROOT)}: {len(catalogue['fo'])} F&O entities, {len(catalogue['dataverse'])} Dataverse tables")


if __name__ == "__main__":
    main()
