package report

import (
	"net"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// HostHit is a network host found in one constant string.
type HostHit struct {
	Host      string // lower case
	Domain    string // registrable domain (eTLD+1 under the ICANN rules only)
	URL       string // the URL it came from; "" for a bare host name
	Cleartext bool   // the URL's scheme is http:// or ws://
}

// urlPattern finds URLs inside longer strings too ("see https://x.y/z").
var urlPattern = regexp.MustCompile(`(?i)\b(https?|wss?)://[^\s"'<>\\^{}|` + "`" + `]+`)

// bareHostPattern is a whole string that looks like a lower-case DNS name.
var bareHostPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$`)

// notEndpoints are hosts that appear in code as XML namespace or DTD
// identifiers, never contacted.
var notEndpoints = map[string]bool{
	"schemas.android.com":   true,
	"www.w3.org":            true,
	"w3.org":                true,
	"xmlpull.org":           true,
	"ns.adobe.com":          true,
	"schemas.xmlsoap.org":   true,
	"schemas.microsoft.com": true,
	"purl.org":              true,
	"xml.org":               true,
	"xml.apache.org":        true,
	"apache.org":            true, // "http://apache.org/xml/features/...": parser feature ids
	"java.sun.com":          true,
	"www.apple.com":         true, // plist DTDs
}

// javaRoots start Java package names, which look like reversed host names
// ("org.chromium.net"); a bare string starting with one is a package.
var javaRoots = map[string]bool{
	"com": true, "org": true, "net": true, "io": true, "android": true, "androidx": true,
	"java": true, "javax": true, "kotlin": true, "kotlinx": true, "dalvik": true, "sun": true,
	"edu": true, "gov": true, "me": true, "jdk": true, "javafx": true,
}

// fileExtensionTLDs are real TLDs that are also file extensions; a bare
// "libfoo.so" or "data.zip" is a file name.
var fileExtensionTLDs = map[string]bool{
	"so": true, "zip": true, "mov": true, "md": true, "sh": true, "py": true, "pl": true,
	"rs": true, "ml": true, "cc": true, "ps": true, "mk": true, "ai": true, "txt": true,
	"properties": true, "dat": true, "bin": true, "db": true, "js": true,
}

// commonTLDs may end a two-label bare host ("example.com"); other two-label
// strings are too often identifiers or file names.
var commonTLDs = map[string]bool{"com": true, "net": true, "org": true, "io": true}

// bareHostTLDs are the generic TLDs a bare string (no scheme) may end in to
// count as a host; two-letter country codes count too. A bare string is
// weak evidence: dotted identifiers ("gcm.notification.link",
// "firebase.analytics.online", "app.build.info") end in newer gTLDs far
// more often than real hosts named without a URL do.
var bareHostTLDs = map[string]bool{
	"com": true, "net": true, "org": true, "io": true, "co": true,
	"app": true, "dev": true, "cloud": true, "tv": true, "me": true,
}

// identifierWords are labels that, in the middle of an all-letter dotted
// string, mark it as a key or property name ("gcm.notification.com" style)
// rather than a host.
var identifierWords = map[string]bool{
	"notification": true, "notifications": true, "analytics": true, "build": true, "config": true,
	"action": true, "intent": true, "event": true, "events": true, "extra": true, "extras": true,
	"key": true, "keys": true, "prefs": true, "preferences": true, "settings": true, "permission": true,
	"provider": true, "receiver": true, "activity": true, "property": true, "param": true, "params": true,
}

// identifierLike says whether a bare dotted string reads as an identifier:
// every label is letters only and a middle label is an identifier word.
func identifierLike(labels []string) bool {
	for _, l := range labels {
		for _, r := range l {
			if r < 'a' || r > 'z' {
				return false
			}
		}
	}
	for _, l := range labels[1 : len(labels)-1] {
		if identifierWords[l] {
			return true
		}
	}
	return false
}

// ExtractHosts returns the network hosts a constant string names: every
// http(s)/ws(s) URL in it, or the whole string when it is a host name. A
// host counts only when its public suffix is known (ICANN, or a private
// suffix such as appspot.com) and it has a registrable domain; IP
// addresses, template placeholders and identifiers are dropped.
func ExtractHosts(s string) []HostHit {
	if len(s) < 4 || len(s) > 8192 {
		return nil
	}
	var hits []HostHit
	if strings.Contains(s, "://") {
		for _, m := range urlPattern.FindAllString(s, 16) {
			u, err := url.Parse(strings.TrimRight(m, ".,;:)]"))
			if err != nil {
				continue
			}
			host := strings.ToLower(u.Hostname())
			domain, ok := registrable(host)
			if !ok {
				continue
			}
			scheme := strings.ToLower(u.Scheme)
			hits = append(hits, HostHit{Host: host, Domain: domain, URL: u.String(),
				Cleartext: scheme == "http" || scheme == "ws"})
		}
		return hits
	}
	if !bareHostBytes(s) || !bareHostPattern.MatchString(s) {
		return nil
	}
	labels := strings.Split(s, ".")
	tld := labels[len(labels)-1]
	if javaRoots[labels[0]] || fileExtensionTLDs[tld] || (len(labels) == 2 && !commonTLDs[tld]) {
		return nil
	}
	if !(bareHostTLDs[tld] || len(tld) == 2) || identifierLike(labels) {
		return nil
	}
	// A reversed name under a country code ("cn.google.services",
	// "de.greenrobot.event") starts with a two-letter label and ends in a
	// long generic TLD; real hosts with a regional first label
	// ("eu.api.example.com") end in a common or country TLD.
	if len(labels[0]) == 2 && len(tld) > 2 && !commonTLDs[tld] {
		return nil
	}
	if domain, ok := registrable(s); ok {
		hits = append(hits, HostHit{Host: s, Domain: domain})
	}
	return hits
}

// bareHostBytes is a cheap necessary condition for bareHostPattern: only
// lower-case letters, digits, '-' and '.', with at least one dot. Most
// constant strings fail it at their first space or capital, which spares
// them the regexp (ExtractHosts runs on every constant string of a scan).
func bareHostBytes(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			dot = true
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
		default:
			return false
		}
	}
	return dot
}

// registrable validates host and returns its registrable domain under the
// ICANN rules only: private suffixes (googleapis.com, appspot.com) are huge
// shared platforms, and grouping www.googleapis.com or my-app.appspot.com
// under themselves would hide that they belong to one operator.
func registrable(host string) (string, bool) {
	if host == "" || notEndpoints[host] || net.ParseIP(host) != nil || !bareHostPattern.MatchString(host) {
		return "", false
	}
	suffix, icann := publicsuffix.PublicSuffix(host)
	if !icann && !strings.Contains(suffix, ".") {
		return "", false // unmanaged TLD: the list's default rule, not a real suffix
	}
	// A private suffix sits on an ICANN one: drop its labels until the
	// rest is an ICANN suffix.
	for !icann {
		dot := strings.IndexByte(suffix, '.')
		if dot < 0 {
			return "", false
		}
		suffix, icann = publicsuffix.PublicSuffix(suffix[dot+1:])
	}
	if len(host) <= len(suffix)+1 || !strings.HasSuffix(host, "."+suffix) {
		return "", false // the host is a public suffix itself
	}
	rest := host[:len(host)-len(suffix)-1]
	return rest[strings.LastIndexByte(rest, '.')+1:] + "." + suffix, true
}
