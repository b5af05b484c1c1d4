// Human labels of the post forms' fields in English, Dutch and French, by the field's dotted path as the
// kind schemas name it (KindSchemas.form; docs/kinds.md). One table for every postable kind: a path means
// the same in every kind that has it (location.description is "Location" in a sitrep and an incident).
// The object below is strict JSON (double quotes, no trailing commas): the Swift test KindLabelTests reads
// it from the embedded file and checks that every field of every postable kind has all three labels.
export const labels = {
  "incident_id": {"en": "Incident ID", "nl": "Incident-ID", "fr": "ID de l'incident"},
  "incident_name": {"en": "Incident name", "nl": "Naam van het incident", "fr": "Nom de l'incident"},
  "report_number": {"en": "Report number", "nl": "Rapportnummer", "fr": "Numéro du rapport"},
  "report_type": {"en": "Report type", "nl": "Soort rapport", "fr": "Type de rapport"},
  "severity": {"en": "Severity", "nl": "Ernst", "fr": "Gravité"},
  "location.description": {"en": "Location", "nl": "Locatie", "fr": "Lieu"},
  "location.lat": {"en": "Latitude", "nl": "Breedtegraad", "fr": "Latitude"},
  "location.lon": {"en": "Longitude", "nl": "Lengtegraad", "fr": "Longitude"},
  "summary": {"en": "Summary", "nl": "Samenvatting", "fr": "Résumé"},
  "people_affected": {"en": "People affected", "nl": "Getroffen personen", "fr": "Personnes touchées"},
  "actions_taken": {"en": "Actions taken", "nl": "Genomen maatregelen", "fr": "Mesures prises"},
  "resources_requested": {"en": "Resources requested", "nl": "Gevraagde middelen", "fr": "Moyens demandés"},
  "next_report_due": {"en": "Next report due", "nl": "Volgend rapport verwacht", "fr": "Prochain rapport attendu"},
  "language": {"en": "Language", "nl": "Taal", "fr": "Langue"},
  "translations": {"en": "Translations", "nl": "Vertalingen", "fr": "Traductions"},
  "level": {"en": "Threat level", "nl": "Dreigingsniveau", "fr": "Niveau de la menace"},
  "title": {"en": "Title", "nl": "Titel", "fr": "Titre"},
  "scope.sectors": {"en": "Sectors", "nl": "Sectoren", "fr": "Secteurs"},
  "scope.regions": {"en": "Regions", "nl": "Regio's", "fr": "Régions"},
  "scope.events": {"en": "Events", "nl": "Evenementen", "fr": "Événements"},
  "valid_from": {"en": "Valid from", "nl": "Geldig vanaf", "fr": "Valable à partir de"},
  "valid_until": {"en": "Valid until", "nl": "Geldig tot", "fr": "Valable jusqu'au"},
  "measures": {"en": "Measures", "nl": "Maatregelen", "fr": "Mesures"},
  "description": {"en": "Description", "nl": "Beschrijving", "fr": "Description"},
  "category": {"en": "Category", "nl": "Categorie", "fr": "Catégorie"},
  "observed_at": {"en": "Observed at", "nl": "Waargenomen op", "fr": "Observé le"},
  "recurs_with": {"en": "Recurs with (earlier incidents)", "nl": "Herhaling van (eerdere incidenten)", "fr": "Récurrence de (incidents antérieurs)"},
  "reporter.name": {"en": "Reported by", "nl": "Gemeld door", "fr": "Signalé par"},
  "reporter.phone": {"en": "Reporter's phone", "nl": "Telefoon van de melder", "fr": "Téléphone du déclarant"},
  "reporter.email": {"en": "Reporter's e-mail", "nl": "E-mail van de melder", "fr": "Courriel du déclarant"},
  "event": {"en": "Event", "nl": "Gebeurtenis", "fr": "Événement"},
  "status": {"en": "Status", "nl": "Status", "fr": "Statut"},
  "outcome": {"en": "Outcome", "nl": "Uitkomst", "fr": "Conclusion"},
  "protective_action": {"en": "Protective action", "nl": "Beschermende maatregel", "fr": "Mesure de protection"},
  "answer": {"en": "Answer to the reporting company", "nl": "Antwoord aan het meldende bedrijf", "fr": "Réponse à l'entreprise déclarante"},
  "urgency": {"en": "Urgency", "nl": "Dringendheid", "fr": "Urgence"},
  "certainty": {"en": "Certainty", "nl": "Zekerheid", "fr": "Certitude"},
  "categories": {"en": "Categories", "nl": "Categorieën", "fr": "Catégories"},
  "areas": {"en": "Areas", "nl": "Gebieden", "fr": "Zones"},
  "headline": {"en": "Headline", "nl": "Kop", "fr": "Titre"},
  "instruction": {"en": "Instruction to the public", "nl": "Instructie aan de bevolking", "fr": "Consigne à la population"},
  "effective": {"en": "Effective from", "nl": "Van kracht vanaf", "fr": "En vigueur à partir de"},
  "onset": {"en": "Onset", "nl": "Begin", "fr": "Début"},
  "expires": {"en": "Expires", "nl": "Verloopt", "fr": "Expire"},
  "sender_name": {"en": "Sender's name", "nl": "Naam van de afzender", "fr": "Nom de l'expéditeur"},
  "web": {"en": "Web page", "nl": "Webpagina", "fr": "Page web"},
  "target_roles": {"en": "Target roles", "nl": "Doelrollen", "fr": "Rôles visés"},
  "cap_identifier": {"en": "CAP identifier", "nl": "CAP-identificatie", "fr": "Identifiant CAP"},
  "cap_sender": {"en": "CAP sender", "nl": "CAP-afzender", "fr": "Expéditeur CAP"},
  "cap_sent": {"en": "CAP sent", "nl": "CAP verzonden", "fr": "CAP envoyé le"},
  "cap.identifier": {"en": "CAP message identifier", "nl": "Identificatie van het CAP-bericht", "fr": "Identifiant du message CAP"},
  "cap.sender": {"en": "CAP message sender", "nl": "Afzender van het CAP-bericht", "fr": "Expéditeur du message CAP"},
  "cap.sent": {"en": "CAP message sent", "nl": "CAP-bericht verzonden", "fr": "Message CAP envoyé le"},
  "cap.status": {"en": "CAP status", "nl": "CAP-status", "fr": "Statut CAP"},
  "cap.msg_type": {"en": "CAP message type", "nl": "Soort CAP-bericht", "fr": "Type de message CAP"},
  "cap.source": {"en": "CAP source", "nl": "CAP-bron", "fr": "Source CAP"},
  "cap.scope": {"en": "CAP scope", "nl": "CAP-bereik", "fr": "Portée CAP"},
  "cap.restriction": {"en": "CAP restriction", "nl": "CAP-beperking", "fr": "Restriction CAP"},
  "cap.addresses": {"en": "CAP addresses", "nl": "CAP-adressen", "fr": "Adresses CAP"},
  "cap.codes": {"en": "CAP codes", "nl": "CAP-codes", "fr": "Codes CAP"},
  "cap.note": {"en": "CAP note", "nl": "CAP-opmerking", "fr": "Note CAP"},
  "cap.references": {"en": "CAP references", "nl": "CAP-verwijzingen", "fr": "Références CAP"},
  "cap.incidents": {"en": "CAP incidents", "nl": "CAP-incidenten", "fr": "Incidents CAP"},
  "cap.extensions": {"en": "CAP extensions (signatures)", "nl": "CAP-uitbreidingen (handtekeningen)", "fr": "Extensions CAP (signatures)"},
  "cap_infos": {"en": "CAP info blocks", "nl": "CAP-infoblokken", "fr": "Blocs info CAP"},
  "cap_resources": {"en": "CAP resources", "nl": "CAP-bronbestanden", "fr": "Ressources CAP"},
  "cap_areas": {"en": "CAP areas", "nl": "CAP-gebieden", "fr": "Zones CAP"},
  "subject": {"en": "Subject", "nl": "Onderwerp", "fr": "Objet"},
  "text": {"en": "Text", "nl": "Tekst", "fr": "Texte"},
  "expect": {"en": "Who must answer", "nl": "Wie moet antwoorden", "fr": "Qui doit répondre"},
  "role": {"en": "Role", "nl": "Rol", "fr": "Rôle"},
  "nodes": {"en": "Nodes", "nl": "Knooppunten", "fr": "Nœuds"},
  "deadline": {"en": "Deadline", "nl": "Termijn", "fr": "Échéance"},
  "note": {"en": "Note", "nl": "Notitie", "fr": "Note"}
};

// The postable kinds' names in the post form's tabs and heading, by kind name (KindSchemas.postable): the
// English one is the kind schema's title. Strict JSON too: FieldLabelTests reads it and checks every
// postable kind has all three.
export const kindTitles = {
  "sitrep": {"en": "situation report", "nl": "situatierapport", "fr": "rapport de situation"},
  "threat": {"en": "threat notice", "nl": "dreigingsbericht", "fr": "avis de menace"},
  "incident": {"en": "incident", "nl": "incident", "fr": "incident"},
  "assessment": {"en": "incident assessment", "nl": "beoordeling van een incident", "fr": "évaluation d'incident"},
  "alert": {"en": "alert", "nl": "alarm", "fr": "alerte"},
  "message": {"en": "message", "nl": "bericht", "fr": "message"},
  "commtest": {"en": "communication test", "nl": "verbindingstest", "fr": "test de communication"}
};

/** The name of the postable `kind` in `language` (en, nl, fr); `fallback` (the schema's title) for a kind the table lacks. */
export function kindTitle(kind, fallback, language) {
  return inLanguage(kindTitles[kind], language) ?? fallback;
}

/** A table entry's text in `language`, its English one when it has none; undefined for no entry. */
function inLanguage(entry, language) {
  return entry ? entry[language] ?? entry.en : undefined;
}

// Fields a stored entry carries that no post form asks for: the node sets `officer` from the session.
const storedOnly = {
  "officer": {"en": "Officer", "nl": "Dienstdoende", "fr": "Agent de permanence"}
};

/** The label of the field at `path` in `language` (en, nl, fr); the path itself when the table has none. */
export function fieldLabel(path, language) {
  return inLanguage(labels[path], language) ?? path;
}

/**
 * A field of a stored entry as an officer reads it: the label of its path with list positions left out
 * (`cap.codes[1]` or `cap.codes.1` → "CAP codes (2)"), the path itself when the table has none. The schema path is
 * the element's title (shown on hover), as `vigil show` prints it.
 */
export function fieldTerm(path, language) {
  const segments = String(path).replace(/\[([0-9]+)\]/g, ".$1").split(".");
  const positions = segments.filter((s) => /^[0-9]+$/.test(s)).map((s) => Number(s) + 1);
  const name = segments.filter((s) => !/^[0-9]+$/.test(s)).join(".");
  const text = inLanguage(labels[name] ?? storedOnly[name], language);
  if (text === undefined) return path;
  return text + (positions.length ? " (" + positions.join(".") + ")" : "");
}
