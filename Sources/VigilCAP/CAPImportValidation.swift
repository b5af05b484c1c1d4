import VigilModel

extension CAPImportedAlert {
    /// Validates the body against Vigil's alert schema, with the result of
    /// `KindSchemas.validate(.alert, fields, createdAt: nil)`, error for error, but without walking what
    /// meets the schema by construction: the view when `AlertView.meetsSchema` (every value was fitted to
    /// the schema as the view was made), the CAP fields when `capFieldsMeetSchema`. When both hold, which
    /// they do for every parsed CAP document, there is nothing left to check; else the whole body is
    /// validated, and the schema names the field. (The node validates every body it appends in any case.)
    /// CAPBodyWriterTests compare this with the schema's validation over every sample, hundreds of
    /// generated alerts and the hand-made messages that break each assumption; the fuzz target on every
    /// input it accepts.
    public func validate() throws(KindValidationError) {
        if viewMeetsSchema && capFieldsMeetSchema { return }
        try KindSchemas.validate(.alert, fields, createdAt: nil)
    }

    /// Whether the CAP fields meet the alert schema's CAP field types (KindCatalog `capMessage`,
    /// `capInfo`, `capResource`, `capArea`; CAPBodyWriterTests pin them). What holds for any imported body:
    /// every text is at most the body's size (`body` ≤ `EntryLimits.maxBodyBytes`, checked by the import)
    /// and so within `0...maxBodyBytes` characters; enumerations are their CAP values (at most 9
    /// characters, within 1…16); lists have at most 1,024 items and `info` indices are below the number of
    /// infos (else the encoding refused the body); `cap` is always there. What a `CAPAlert` made by hand
    /// may break, checked here: a non-empty identifier and sender, resource sizes ≥ 0, and the XML
    /// signatures' number and length (`AlertCAPLimits`).
    var capFieldsMeetSchema: Bool {
        guard !alert.identifier.utf8.isEmpty, !alert.sender.utf8.isEmpty,
              alert.extensions.count <= AlertCAPLimits.maxExtensions else { return false }
        for text in alert.extensions {
            // At least one byte is at least one character; at most the limit in bytes is at most it in characters.
            let bytes = text.utf8.count
            guard bytes >= 1, bytes <= AlertCAPLimits.maxExtensionCharacters else { return false }
        }
        for info in alert.infos {
            for resource in info.resources where (resource.size ?? 0) < 0 { return false }
        }
        return true
    }
}
