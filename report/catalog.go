package report

// The report package reads the rules catalog through this small view, so
// the pipeline and its tests depend on what they need from a catalog, not
// on the catalog's Go types (catalog_rules.go fills it from rules.Catalog).

// catalogView is what Build needs from the rules catalog.
type catalogView struct {
	version     string
	userDirs    []string // user rules directories merged over the built-in catalog
	dataTypes   map[string]dataTypeInfo
	permissions map[string]permissionInfo
	apis        map[string]apiInfo
	sdks        map[string]sdkInfo

	sdkForClass   func(descriptor []byte) string // sdk id or ""
	wantClass     func(descriptor []byte) bool
	apisForMember func(member string) []string // api ids
	stringRules   func(s string) []stringRuleInfo
}

type dataTypeInfo struct {
	id, category, name, playDataSafety string
}

type permissionInfo struct {
	protection string
	dataTypes  []string
}

type apiInfo struct {
	id             string
	dataTypes      []string
	permissions    []string // any one of them grants access
	requiresString string   // the call counts only when this constant is loaded in the same method
	weak           bool     // library callers do not own its data types (rules.API.Weak)
	changes        []apiChange
}

// apiChange is a platform change to an API at an SDK level.
type apiChange struct {
	sdk    int
	effect string // restricted | removed | ...
	note   string
}

type sdkInfo struct {
	id, name  string
	kinds     []string
	exodusID  int
	dataTypes []string
}

type stringRuleInfo struct {
	id        string
	kind      string // content-uri | intent-action | host | ...
	dataTypes []string
}

func (c *catalogView) dataType(id string) dataTypeInfo {
	if d, ok := c.dataTypes[id]; ok {
		return d
	}
	cat := id
	for i := 0; i < len(id); i++ {
		if id[i] == '.' {
			cat = id[:i]
			break
		}
	}
	return dataTypeInfo{id: id, category: cat}
}
