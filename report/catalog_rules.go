package report

import (
	"github.com/apklens/apklens/rules"
)

// newCatalogView adapts a rules.Catalog to what Build reads. This is the
// only file that knows the catalog's Go types.
func newCatalogView(cat *rules.Catalog) *catalogView {
	m := cat.Matcher()
	cv := &catalogView{
		version:     cat.Version,
		userDirs:    cat.Dirs,
		dataTypes:   map[string]dataTypeInfo{},
		permissions: map[string]permissionInfo{},
		apis:        map[string]apiInfo{},
		sdks:        map[string]sdkInfo{},
	}
	for _, d := range cat.DataTypes {
		cv.dataTypes[d.ID] = dataTypeInfo{id: d.ID, category: d.Category, name: d.Name, playDataSafety: d.PlayDataSafety}
	}
	for i := range cat.Permissions {
		p := &cat.Permissions[i]
		cv.permissions[p.Name] = permissionInfo{protection: p.BaseProtection(), dataTypes: p.DataTypes}
	}
	for _, a := range cat.APIs {
		info := apiInfo{id: a.ID, dataTypes: a.DataTypes, permissions: a.Permissions, requiresString: a.RequiresString, weak: a.Weak}
		for _, ch := range a.Changes {
			info.changes = append(info.changes, apiChange{sdk: ch.SDK, effect: ch.Effect, note: ch.Note})
		}
		cv.apis[a.ID] = info
	}
	for _, s := range cat.SDKs {
		cv.sdks[s.ID] = sdkInfo{id: s.ID, name: s.Name, kinds: s.Kinds, exodusID: s.ExodusID, dataTypes: s.DataTypes}
	}
	cv.sdkForClass = func(d []byte) string {
		if s := m.SDKForClass(d); s != nil {
			return s.ID
		}
		return ""
	}
	cv.wantClass = m.WantClass
	cv.apisForMember = func(member string) []string {
		apis := m.APIsForMember(member)
		ids := make([]string, 0, len(apis))
		for _, a := range apis {
			ids = append(ids, a.ID)
		}
		return ids
	}
	cv.stringRules = func(s string) []stringRuleInfo {
		rs := m.StringRules(s)
		if len(rs) == 0 {
			return nil
		}
		out := make([]stringRuleInfo, 0, len(rs))
		for _, r := range rs {
			out = append(out, stringRuleInfo{id: r.ID, kind: r.Kind, dataTypes: r.DataTypes})
		}
		return out
	}
	return cv
}
