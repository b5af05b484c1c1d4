// The desk's own text in English, Dutch and French. The officer picks; the default follows the browser.
// A page may keep its text in its own module (i18n-PAGE.js), merged below.
import { federationTexts } from "./i18n-federation.js";
import { incidentTexts } from "./i18n-incidents.js";
import { mapTexts } from "./i18n-map.js";

const texts = {
  en: {
    "nav.commtests": "Comm tests", "ct.title": "Communication tests", "ct.start": "Start a test", "ct.expect": "Who answers",
    "ct.everyone": "everyone", "ct.role": "a role", "ct.nodes": "the nodes ticked below", "ct.roleLabel": "Role", "ct.deadline": "Deadline (minutes)",
    "ct.note": "Note", "ct.submit": "Start the test", "ct.badDeadline": "The deadline is a number of minutes above 0.", "ct.past": "Tests",
    "ct.back": "All tests", "ct.board": "Answers", "ct.csv": "Download as CSV", "ct.member": "Member", "ct.statusLabel": "Status",
    "ct.received": "Received (automatic delay)", "ct.confirmed": "Confirmed (officer delay)", "ct.officer": "Officer",
    "ct.status.received": "received", "ct.status.confirmed": "confirmed", "ct.status.silent": "silent", "ct.late": "late",
    "nav.post": "Post", "post.title": "Post", "post.audience": "Audience", "post.default": "Default:", "post.tlp": "TLP",
    "post.tlpDefault": "the kind's default", "post.roles": "Roles (with AMBER)", "post.orgs": "Organisations (AMBER, AMBER+STRICT)",
    "post.nodes": "Nodes (AMBER, RED)", "post.submit": "Sign and post", "post.required": "required", "post.yes": "yes", "post.no": "no",
    "post.badJSON": "This field takes JSON, e.g. [[51.2, 4.2], [51.3, 4.3], [51.2, 4.4], [51.2, 4.2]].",
    "amend.title": "Amend", "amend.back": "Back to the entry", "amend.submit": "Sign and post the amendment",
    "amend.not": "Only this node's own entries can be amended here.", "amend.nothing": "Nothing changed: change a field first.",
    "entry.amend": "Amend", "entry.retract": "Retract", "entry.retractReason": "Why it is retracted",
    "app.title": "Vigil duty desk", "login.name": "Officer", "login.password": "Password", "login.submit": "Log in",
    "login.wrong": "Wrong officer name or password.", "login.wait": "Too many failed attempts: wait {s} seconds and try again.",
    "lang.label": "Language", "nav.feed": "Feed", "nav.logout": "Log out",
    "feed.title": "Feed", "feed.kind": "Kind", "feed.tlp": "TLP", "feed.author": "Author", "feed.org": "Organisation",
    "feed.text": "Text", "feed.since": "Since", "feed.apply": "Filter", "feed.any": "any", "feed.empty": "No entries match.",
    "feed.older": "Older entries", "feed.newest": "Newest", "feed.new": "new",
    "live.open": "live", "live.connecting": "connecting…", "live.closed": "offline — retrying",
    "entry.back": "Back to the feed", "entry.fields": "Fields", "entry.history": "Amendments", "entry.receipts": "Received and confirmed",
    "entry.ack": "Acknowledge", "entry.acked": "Acknowledged", "entry.none": "None yet.", "entry.by": "by",
    "error.session": "Your session has ended. Log in again.",
  },
  nl: {
    "nav.commtests": "Verbindingstests", "ct.title": "Verbindingstests", "ct.start": "Een test starten", "ct.expect": "Wie antwoordt",
    "ct.everyone": "iedereen", "ct.role": "een rol", "ct.nodes": "de aangevinkte knooppunten", "ct.roleLabel": "Rol", "ct.deadline": "Termijn (minuten)",
    "ct.note": "Notitie", "ct.submit": "Test starten", "ct.badDeadline": "De termijn is een aantal minuten groter dan 0.", "ct.past": "Tests",
    "ct.back": "Alle tests", "ct.board": "Antwoorden", "ct.csv": "Downloaden als CSV", "ct.member": "Lid", "ct.statusLabel": "Status",
    "ct.received": "Ontvangen (automatische vertraging)", "ct.confirmed": "Bevestigd (vertraging officier)", "ct.officer": "Officier",
    "ct.status.received": "ontvangen", "ct.status.confirmed": "bevestigd", "ct.status.silent": "stil", "ct.late": "te laat",
    "nav.post": "Posten", "post.title": "Posten", "post.audience": "Publiek", "post.default": "Standaard:", "post.tlp": "TLP",
    "post.tlpDefault": "standaard voor dit soort", "post.roles": "Rollen (bij AMBER)", "post.orgs": "Organisaties (AMBER, AMBER+STRICT)",
    "post.nodes": "Knooppunten (AMBER, RED)", "post.submit": "Ondertekenen en posten", "post.required": "verplicht", "post.yes": "ja", "post.no": "nee",
    "post.badJSON": "Dit veld vraagt JSON, bv. [[51.2, 4.2], [51.3, 4.3], [51.2, 4.4], [51.2, 4.2]].",
    "amend.title": "Wijzigen", "amend.back": "Terug naar het bericht", "amend.submit": "Wijziging ondertekenen en posten",
    "amend.not": "Alleen de eigen berichten van dit knooppunt kunnen hier gewijzigd worden.", "amend.nothing": "Niets gewijzigd: wijzig eerst een veld.",
    "entry.amend": "Wijzigen", "entry.retract": "Intrekken", "entry.retractReason": "Waarom het ingetrokken wordt",
    "app.title": "Vigil permanentie", "login.name": "Officier", "login.password": "Wachtwoord", "login.submit": "Aanmelden",
    "login.wrong": "Verkeerde naam of verkeerd wachtwoord.", "login.wait": "Te veel mislukte pogingen: wacht {s} seconden en probeer opnieuw.",
    "lang.label": "Taal", "nav.feed": "Berichten", "nav.logout": "Afmelden",
    "feed.title": "Berichten", "feed.kind": "Soort", "feed.tlp": "TLP", "feed.author": "Auteur", "feed.org": "Organisatie",
    "feed.text": "Tekst", "feed.since": "Sinds", "feed.apply": "Filteren", "feed.any": "alle", "feed.empty": "Geen berichten gevonden.",
    "feed.older": "Oudere berichten", "feed.newest": "Nieuwste", "feed.new": "nieuw",
    "live.open": "rechtstreeks", "live.connecting": "verbinden…", "live.closed": "offline — opnieuw proberen",
    "entry.back": "Terug naar de berichten", "entry.fields": "Velden", "entry.history": "Wijzigingen", "entry.receipts": "Ontvangen en bevestigd",
    "entry.ack": "Bevestigen", "entry.acked": "Bevestigd", "entry.none": "Nog geen.", "entry.by": "door",
    "error.session": "Uw sessie is afgelopen. Meld u opnieuw aan.",
  },
  fr: {
    "nav.commtests": "Tests de communication", "ct.title": "Tests de communication", "ct.start": "Lancer un test", "ct.expect": "Qui répond",
    "ct.everyone": "tout le monde", "ct.role": "un rôle", "ct.nodes": "les nœuds cochés", "ct.roleLabel": "Rôle", "ct.deadline": "Délai (minutes)",
    "ct.note": "Note", "ct.submit": "Lancer le test", "ct.badDeadline": "Le délai est un nombre de minutes supérieur à 0.", "ct.past": "Tests",
    "ct.back": "Tous les tests", "ct.board": "Réponses", "ct.csv": "Télécharger en CSV", "ct.member": "Membre", "ct.statusLabel": "État",
    "ct.received": "Reçu (délai automatique)", "ct.confirmed": "Confirmé (délai de l'officier)", "ct.officer": "Officier",
    "ct.status.received": "reçu", "ct.status.confirmed": "confirmé", "ct.status.silent": "silencieux", "ct.late": "en retard",
    "nav.post": "Publier", "post.title": "Publier", "post.audience": "Destinataires", "post.default": "Par défaut :", "post.tlp": "TLP",
    "post.tlpDefault": "celui du type", "post.roles": "Rôles (avec AMBER)", "post.orgs": "Organisations (AMBER, AMBER+STRICT)",
    "post.nodes": "Nœuds (AMBER, RED)", "post.submit": "Signer et publier", "post.required": "obligatoire", "post.yes": "oui", "post.no": "non",
    "post.badJSON": "Ce champ attend du JSON, p. ex. [[51.2, 4.2], [51.3, 4.3], [51.2, 4.4], [51.2, 4.2]].",
    "amend.title": "Modifier", "amend.back": "Retour à l'entrée", "amend.submit": "Signer et publier la modification",
    "amend.not": "Seules les entrées de ce nœud peuvent être modifiées ici.", "amend.nothing": "Rien n'a changé : modifiez d'abord un champ.",
    "entry.amend": "Modifier", "entry.retract": "Retirer", "entry.retractReason": "Pourquoi elle est retirée",
    "app.title": "Vigil permanence", "login.name": "Officier", "login.password": "Mot de passe", "login.submit": "Se connecter",
    "login.wrong": "Nom ou mot de passe incorrect.", "login.wait": "Trop d'échecs : attendez {s} secondes puis réessayez.",
    "lang.label": "Langue", "nav.feed": "Fil", "nav.logout": "Se déconnecter",
    "feed.title": "Fil", "feed.kind": "Type", "feed.tlp": "TLP", "feed.author": "Auteur", "feed.org": "Organisation",
    "feed.text": "Texte", "feed.since": "Depuis", "feed.apply": "Filtrer", "feed.any": "tous", "feed.empty": "Aucune entrée.",
    "feed.older": "Entrées plus anciennes", "feed.newest": "Plus récentes", "feed.new": "nouveau",
    "live.open": "en direct", "live.connecting": "connexion…", "live.closed": "hors ligne — nouvel essai",
    "entry.back": "Retour au fil", "entry.fields": "Champs", "entry.history": "Modifications", "entry.receipts": "Reçu et confirmé",
    "entry.ack": "Accuser réception", "entry.acked": "Réception confirmée", "entry.none": "Aucun pour l'instant.", "entry.by": "par",
    "error.session": "Votre session a expiré. Reconnectez-vous.",
  },
};
for (const more of [federationTexts, incidentTexts, mapTexts]) for (const language of Object.keys(texts)) Object.assign(texts[language], more[language]);

/** The officer's language: their choice, else the browser's first supported language, else English. */
export function language() {
  const chosen = localStorage.getItem("vigil-lang");
  if (chosen && texts[chosen]) return chosen;
  for (const tag of navigator.languages || [navigator.language]) {
    const base = String(tag).slice(0, 2).toLowerCase();
    if (texts[base]) return base;
  }
  return "en";
}

/** The text for a key in the current language, with {name} placeholders filled. */
export function t(key, values = {}) {
  const text = texts[language()][key] ?? texts.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** Fills every [data-text] element and wires the language picker. */
export function translatePage(onChange) {
  document.documentElement.lang = language();
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
  const picker = document.getElementById("lang");
  if (picker) {
    picker.value = language();
    picker.onchange = () => {
      localStorage.setItem("vigil-lang", picker.value);
      translatePage(onChange);
      if (onChange) onChange();
    };
  }
}
