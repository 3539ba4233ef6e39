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
	Domain    string // registrable domain (eTLD+1)
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
	if !bareHostPattern.MatchString(s) {
		return nil
	}
	labels := strings.Split(s, ".")
	tld := labels[len(labels)-1]
	if javaRoots[labels[0]] || fileExtensionTLDs[tld] || (len(labels) == 2 && !commonTLDs[tld]) {
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

// registrable validates host and returns its registrable domain.
func registrable(host string) (string, bool) {
	if host == "" || notEndpoints[host] || net.ParseIP(host) != nil || !bareHostPattern.MatchString(host) {
		return "", false
	}
	suffix, icann := publicsuffix.PublicSuffix(host)
	if !icann && !strings.Contains(suffix, ".") {
		return "", false // unmanaged TLD: the list's default rule, not a real suffix
	}
	domain, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return "", false
	}
	return domain, true
}
