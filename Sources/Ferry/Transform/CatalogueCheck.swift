/// Checks a template's targets against the entity catalogue: the label must be the entity's Data
/// management name, every target field a field of the entity, every mandatory field mapped. An entity
/// the catalogue does not have is named in a note, since nothing about it can be checked.
struct CatalogueCheck {
    private(set) var problems: [TemplateError] = []
    private(set) var notes: [String] = []

    init(template: Template) {
        for target in template.targets {
            switch target.spec.system {
            case .financeAndOperations: check(fo: target, in: template)
            case .sales: check(sales: target, in: template)
            default: break
            }
        }
    }

    private mutating func check(fo target: TargetRule, in template: Template) {
        let spec = target.spec
        guard let entity = EntityCatalogue.entity(spec.entity) else {
            notes.append("\(template.path): \(spec.entity) is not in Ferry's entity catalogue: its label, fields and mandatory fields are not checked"
                         + " (known: \(EntityCatalogue.entityNames.joined(separator: ", ")))")
            return
        }
        if spec.label != entity.label {
            problems.append(error(template, target.position, "label \"\(spec.label)\" is not the Data management name of \(spec.entity)",
                                  hint: "it is \"\(entity.label)\" (F&O refuses a package whose EntityName it does not know)"))
        }
        let known = Set(entity.fields)
        for field in target.fields where !known.contains(field.target) {
            problems.append(unknownField(field, of: spec.entity, known: entity.fields, in: template))
        }
        missingMandatory(entity.mandatory, target: target, in: template, what: "mandatory field")
    }

    private mutating func check(sales target: TargetRule, in template: Template) {
        let spec = target.spec
        guard let table = EntityCatalogue.table(spec.entity) else {
            notes.append("\(template.path): \(spec.entity) is not in Ferry's entity catalogue: its columns are not checked"
                         + " (known: \(EntityCatalogue.tableNames.joined(separator: ", ")))")
            return
        }
        for field in target.fields where table.logicalName(of: field.target) == nil {
            problems.append(unknownField(field, of: "the Dataverse table \(spec.entity)", known: table.columns.keys.sorted(), in: template))
        }
        missingMandatory(table.required, target: target, in: template, what: "required column")
    }

    private mutating func missingMandatory(_ mandatory: [String], target: TargetRule, in template: Template, what: String) {
        let mapped = Set(target.fields.map(\.target))
        for field in mandatory where !mapped.contains(field) {
            problems.append(error(template, target.position, "\(what) \(field) of \(target.spec.entity) is not mapped",
                                  hint: "add \(field): to the target's fields (the import refuses rows without it)"))
        }
    }

    private func unknownField(_ field: FieldRule, of entity: String, known: [String], in template: Template) -> TemplateError {
        let closest = known.min { editDistance($0, field.target) < editDistance($1, field.target) }
        return TemplateError(file: template.path, line: field.position.line, column: max(1, field.position.column - field.target.count - 2),
                             "\(field.target) is not a field of \(entity)",
                             hint: closest.map { editDistance($0, field.target) <= 3 ? "did you mean \($0)?" : "the closest field is \($0)" })
    }

    private func error(_ template: Template, _ position: TemplatePosition, _ message: String, hint: String) -> TemplateError {
        TemplateError(file: template.path, line: position.line, column: position.column, message, hint: hint)
    }
}
