package extract

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// The line rules of body cleaning: after readability, each leaf block of
// the body (a paragraph, a short div, a span that stands alone) is matched
// against bodyLineRules in order, and the first rule that fits says what
// to do with it. A rule fits a line no longer than its maxRunes (0: any
// length), within its first maxLead lines (0: anywhere), whose text its
// match accepts.

// lineAction is what a line rule does with the line it matches.
type lineAction int

const (
	// harvestField drops the line and hands its text, as fields, to
	// metadata (a byline, a source or editor label).
	harvestField lineAction = iota
	// harvestText drops the line and hands its plain text to metadata
	// (a date line).
	harvestText
	// dropLine drops the line; when the rule's keep matches, its text
	// still goes to metadata.
	dropLine
	// dropWithMediaLine drops the line with the image it labels (a QR
	// code under "scan to follow").
	dropWithMediaLine
)

// lineCtx is one line of the body as the rules see it.
type lineCtx struct {
	n         *html.Node
	t         string // the line's text
	f         string // t with Traditional Chinese folded to Simplified (foldZH)
	runes     int    // length of t
	lead      int    // 1 for the body's first non-empty line, 2 for the next...
	title     string
	subtitles []string
}

// lineRule is one named rule of body cleaning.
type lineRule struct {
	name     string
	maxRunes int // 0: any length
	maxLead  int // 0: anywhere in the body
	match    func(c *lineCtx) bool
	action   lineAction
	keep     *regexp.Regexp // dropLine: text worth keeping for metadata
}

// bodyLineRules run in order; the first that matches a line decides.
var bodyLineRules = []lineRule{
	{name: "label line (source, editor, notice, read more, edition, cover credit)", maxRunes: 200, action: harvestField,
		match: func(c *lineCtx) bool {
			return rxLabelLine.MatchString(c.f) || rxCoverCredit.MatchString(c.f) || rxNoticeHead.MatchString(c.f) ||
				rxNoticeLine.MatchString(c.f) || rxReadMore.MatchString(c.f) || rxEditionLine.MatchString(c.f)
		}},
	{name: "byline", maxRunes: 60, action: harvestField,
		match: func(c *lineCtx) bool { return rxByLine.MatchString(c.t) || isBylineLine(c.t) }},
	{name: "furniture or paging line", maxRunes: 60, action: dropLine, keep: rxFurnitureKeep,
		match: func(c *lineCtx) bool { return rxFurnitureLine.MatchString(c.f) || isPagingLine(c.f) }},
	{name: "prompt (scan, download, follow) without a sentence end", maxRunes: 40, action: dropWithMediaLine,
		match: func(c *lineCtx) bool { return !strings.HasSuffix(c.t, "。") && rxPromptLine.MatchString(c.f) }},
	{name: "heading of a related-stories, most-read or comments block", maxRunes: 40, action: dropLine,
		match: func(c *lineCtx) bool { return rxBlockHeading.MatchString(c.f) }},
	{name: "photo caption or credit", maxRunes: 300, action: dropLine,
		match: func(c *lineCtx) bool { return rxCaptionLine.MatchString(c.f) }},
	{name: "photo credit: names and an agency", maxRunes: 100, action: dropLine,
		match: func(c *lineCtx) bool { return rxAgencyCredit.MatchString(c.t) }},
	{name: "caption ending in a photo credit", maxRunes: 300, action: dropLine,
		match: func(c *lineCtx) bool { return !rxSentenceEnd.MatchString(c.t) && rxTrailingCredit.MatchString(c.t) }},
	{name: "wire-service caption", maxRunes: 400, action: dropLine,
		match: func(c *lineCtx) bool { return rxWireCaption.MatchString(c.t) }},
	{name: "skip link", maxRunes: 40, action: dropLine,
		match: func(c *lineCtx) bool { return rxSkipLink.MatchString(c.t) }},
	{name: "reading time or time since the last update", maxRunes: 120, action: dropLine,
		match: func(c *lineCtx) bool { return !rxSentenceEnd.MatchString(c.t) && rxReadingTime.MatchString(c.t) }},
	{name: "ad or media label", maxRunes: 40, action: dropLine,
		match: func(c *lineCtx) bool { return rxMediaLabel.MatchString(c.t) }},
	{name: "credits line (reporting, writing, editing by)", maxRunes: 300, action: dropLine,
		match: func(c *lineCtx) bool { return rxCreditsLine.MatchString(c.t) }},
	{name: "agency note or author sign-off", maxRunes: 60, action: dropLine,
		match: func(c *lineCtx) bool { return rxSignOff.MatchString(c.t) }},
	{name: "publish or update label with a date", maxRunes: 120, action: dropLine,
		match: func(c *lineCtx) bool {
			return rxPublishLabel.MatchString(c.t) && !rxSentenceEnd.MatchString(c.t) && isDateLine(c.t)
		}},
	{name: "Chinese photo caption or credit", maxRunes: 100, action: dropLine,
		match: func(c *lineCtx) bool { return rxCaptionZH.MatchString(c.f) }},
	{name: "the title repeated", action: dropLine,
		match: func(c *lineCtx) bool { return c.runes <= runeLen(c.title)+10 && echoesTitle(c.t, c.title) }},
	{name: "the subtitle repeated at the top", maxRunes: 200, maxLead: 4, action: dropLine,
		match: func(c *lineCtx) bool { return echoesSubtitle(c.t, c.subtitles) }},
	{name: "follow-us line", maxRunes: 30, action: dropWithMediaLine,
		match: func(c *lineCtx) bool {
			return !rxClauseEnd.MatchString(strings.TrimRight(c.t, "”\"」』")) && isFollowLine(c.n, c.f)
		}},
	{name: "date or relative byline at the top", maxRunes: 80, maxLead: 3, action: harvestText,
		match: func(c *lineCtx) bool {
			return !rxSentenceEnd.MatchString(c.t) && (isDateLine(c.t) && mostlyDate(c.t) || isRelativeByline(c.f))
		}},
}

var (
	// rxAgencyCredit matches a photo credit line: photographers, then a
	// picture agency, after a slash ("Kristy Sparow/Stringer/Getty Images",
	// "Friso Gentsch/dpa").
	rxAgencyCredit = regexp.MustCompile(`(?i)/\s*(?:getty(?: images)?|afp|ap|reuters|dpa|epa|imago(?: images)?|picture[- ]alliance|keystone|shutterstock|istock(?:photo)?|alamy|anadolu(?: agency)?|xinhua|ansa|efe|sipa|zuma(?: press)?|bloomberg)\s*$`)
	// rxTrailingCredit matches the credit at the end of a caption: "… im
	// Halbfinale. Foto: dpa", "…（代表撮影）", "… (Photo by Kevin
	// Mazur/Getty Images)", "… — Picture by Yusof Mat Isa".
	rxTrailingCredit = mustLitRegexp(`(?i)(?:^|[\s.,;)])(?:foto|fotos|bild|photo|photos|picture)\s*:\s*\S.{0,120}$|[(（][^)）]{0,20}撮影[)）]\s*$|` +
		`[(（]\s*(?:photos?|images?|pictures?|illustrations?|photo illustration|video|graphics?)\s+(?:by|courtesy of)\s[^)）]{1,100}[)）]\s*$|[—–]\s*(?:photos?|pictures?|images?)\s+by\s+[^.]{2,60}$|` +
		`[(（]\s*(?:[\w.]+\s+){0,3}photos?\s*/[^)）]{1,80}[)）]\s*$`)
	// rxWireCaption matches the opening of a wire-service caption: "In
	// this Sunday, Nov. 10, 2019, photograph, …", "In this Dec. 12, 2006,
	// file photo, …".
	rxWireCaption = regexp.MustCompile(`^(?i:in this)\b.{0,60}?\b(?i:file )?(?i:photo|photograph|image|picture)\b`)
	// rxSkipLink matches the "skip to content" link of screen readers.
	rxSkipLink = regexp.MustCompile(`^(?i:skip to (?:the )?(?:main )?content|skip to main|zum inhalt springen|direkt zum inhalt|aller au contenu(?: principal)?|ir al contenido(?: principal)?|saltar al contenido|vai al contenuto|naar de inhoud)$`)
	// rxReadingTime matches a reading-time note or a relative update time:
	// "3 Min Lesezeit", "Lesedauer: 4 Minuten", "2 minute read", "Last
	// updated 15 hours ago".
	rxReadingTime = mustLitRegexp(`(?i)\b\d+\s*(?:min(?:ute)?s?\.?|minuten)\s*(?:read|lesezeit|lesedauer|de lecture|de lectura|di lettura|leestijd)\b|(?:lesezeit|lesedauer|reading time|temps de lecture|tiempo de lectura|leestijd)\s*:?\s*\d|\bupdated\s+\d+\s+(?:minutes?|hours?|days?)\s+ago`)
)

var (
	// rxMediaLabel matches a line that only labels an ad, a player or a
	// gallery: "Anzeige", "Video", "Caption", "Close", "Continue Reading
	// Below", "00:00 / 03:15", a gallery counter "1/12".
	rxMediaLabel = regexp.MustCompile(`^(?i:anzeige|annonce|publicité|publicidad|pubblicità|advertentie|reklama|reklame|werbung|video|audio|image|foto|photo|bild|galerie|gallery|bildergalerie|fotogalerie|podcast|caption|close|continue reading below|(?:story|article|advertisement) continues below)$|^\d{1,2}:\d{2}\s*/\s*\d{1,2}:\d{2}$|^\d{1,3}\s*/\s*\d{1,3}$`)
	// rxCreditsLine matches the credits line of wire copy: "Reporting by
	// …; Writing by …; Editing by …".
	rxCreditsLine = regexp.MustCompile(`^(?i:reporting|writing|editing|additional reporting) by\s+\p{Lu}`)
	// rxSignOff matches the note of agency material or the author's
	// initials that end a story: "Mit Agenturmaterial.", "mit dpa",
	// "(dmk)", "(AFP)".
	rxSignOff = regexp.MustCompile(`^(?i:mit|with)\s+(?i:(?:material|informationen)\s+(?:von|der|des)\s+)?(?i:agenturmaterial|agenturen|dpa|afp|reuters|ap|kna|epd|sid|apa)(?:\s*(?:,|und|and|/)\s*\p{L}+)*\.?$|^[(（]\s*\p{L}{2,6}(?:\s*/\s*\p{L}{2,6})*\s*[)）]$`)
	// rxPublishLabel matches the label of a publish or update date line:
	// "Publisert torsdag 09. mai 2024 - 13:26", "Online seit heute, 7.57 Uhr".
	rxPublishLabel = regexp.MustCompile(`^(?i:publisert|sist oppdatert|oppdatert|publicerad|uppdaterad|udgivet|opdateret|veröffentlicht|aktualisiert|zuletzt aktualisiert|published|updated|last updated|posted|publié|mis à jour|publicado|actualizado|atualizado|pubblicato|aggiornato|gepubliceerd|bijgewerkt|opublikowano|zaktualizowano|aktualizováno|publikováno|güncelleme|yayınlanma|online seit)\b`)
)

// matchLine returns the first rule of bodyLineRules that fits c, or nil.
func matchLine(c *lineCtx) *lineRule {
	for i := range bodyLineRules {
		r := &bodyLineRules[i]
		if r.maxRunes > 0 && c.runes > r.maxRunes || r.maxLead > 0 && c.lead > r.maxLead {
			continue
		}
		if r.match(c) {
			return r
		}
	}
	return nil
}
