package report

import (
	"regexp"
	"strings"
)

// SecretHit is a credential-shaped value inside a constant string.
type SecretHit struct {
	Kind     string // google-api-key | aws-access-key | private-key | firebase-database
	Redacted string // first 6 characters and "…": the report never carries the secret
}

type secretShape struct {
	kind    string
	markers []string // cheap substring tests before the regexp runs: one must be in the string
	pattern *regexp.Regexp
}

var secretShapes = []secretShape{
	{"google-api-key", []string{"AIza"}, regexp.MustCompile(`AIza[0-9A-Za-z_-]{35}`)},
	{"aws-access-key", []string{"AKIA", "ASIA"}, regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)},
	// A PEM header alone is a parser's marker (TLS libraries carry dozens);
	// a key is the header followed by its base64 body.
	{"private-key", []string{"PRIVATE KEY-----"}, regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:\\[rn]|\s)*[A-Za-z0-9+/=]{40,}`)},
	{"firebase-database", []string{"firebaseio.com"}, regexp.MustCompile(`https://[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.firebaseio\.com`)},
}

// FindSecrets returns the well-known credential shapes in s, each once.
func FindSecrets(s string) []SecretHit {
	if len(s) < 16 {
		return nil
	}
	var hits []SecretHit
	var seen map[string]bool // made on the first match: most strings have none
	for _, sh := range secretShapes {
		if !containsAny(s, sh.markers) {
			continue
		}
		for _, m := range sh.pattern.FindAllString(s, 8) {
			h := SecretHit{Kind: sh.kind, Redacted: Redact(m)}
			if seen == nil {
				seen = map[string]bool{}
			}
			if key := h.Kind + "\x00" + m; !seen[key] {
				seen[key] = true
				hits = append(hits, h)
			}
		}
	}
	return hits
}

// Redact keeps the first 6 characters of a secret.
func Redact(s string) string {
	r := []rune(s)
	if len(r) <= 6 {
		return string(r) + "…"
	}
	return string(r[:6]) + "…"
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
