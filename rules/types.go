package rules

import (
	"fmt"
	"sync"
)

// Pos is where an entry was defined: the catalog file (as "data/sdks.yaml"
// for the embedded catalog, or the path under a user directory) and line.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Category is a top-level group of data types ("location").
type Category struct {
	ID          string     `yaml:"id" json:"id"`
	Name        string     `yaml:"name" json:"name"`
	Description string     `yaml:"description" json:"description"`
	DataTypes   []DataType `yaml:"dataTypes" json:"dataTypes,omitempty"`
	Pos         Pos        `yaml:"-" json:"-"`
}

// DataType is one kind of personal data ("location.precise").
type DataType struct {
	ID             string `yaml:"id" json:"id"`
	Category       string `yaml:"-" json:"category"` // filled from the enclosing category
	Name           string `yaml:"name" json:"name"`
	Description    string `yaml:"description" json:"description"`
	PlayDataSafety string `yaml:"playDataSafety" json:"playDataSafety,omitempty"` // "Location / Precise location" or ""
	Pos            Pos    `yaml:"-" json:"-"`
}

// Permission describes an Android permission and the data it gives access to.
type Permission struct {
	Name        string   `yaml:"name" json:"name"`
	Protection  string   `yaml:"protection" json:"protection,omitempty"` // base level first, flags after '|': "signature|privileged"
	Group       string   `yaml:"group" json:"group,omitempty"`
	Source      string   `yaml:"source" json:"source"` // aosp | aosp-removed | play-services | vendor
	AddedIn     int      `yaml:"addedIn" json:"addedIn,omitempty"`
	Removed     int      `yaml:"removedIn" json:"removedIn,omitempty"` // API level it was removed in, 0 if present
	DataTypes   []string `yaml:"dataTypes" json:"dataTypes,omitempty"`
	Description string   `yaml:"summary" json:"summary,omitempty"` // our short words ("summary" in YAML)
	Pos         Pos      `yaml:"-" json:"-"`
}

// BaseProtection is the protection level without flags ("dangerous").
func (p *Permission) BaseProtection() string {
	for i := 0; i < len(p.Protection); i++ {
		if p.Protection[i] == '|' {
			return p.Protection[:i]
		}
	}
	return p.Protection
}

// API is a framework or library member whose use reveals data collection.
type API struct {
	ID             string   `yaml:"id" json:"id"`
	Name           string   `yaml:"name" json:"name"`
	Summary        string   `yaml:"summary" json:"summary,omitempty"`
	DataTypes      []string `yaml:"dataTypes" json:"dataTypes"`
	Permissions    []string `yaml:"permissions" json:"permissions,omitempty"` // gating permissions, any one suffices
	Refs           []string `yaml:"refs" json:"refs"`                         // smali member references
	RequiresString string   `yaml:"requiresString" json:"requiresString,omitempty"`
	// Weak marks an API that compatibility code in nearly every library
	// calls (AndroidX reads Build.VERSION.SDK_INT everywhere): a library
	// calling it is not an owner of its data types; the app and SDKs are.
	Weak    bool        `yaml:"weak" json:"weak,omitempty"`
	MinSDK  int         `yaml:"minSdk" json:"minSdk,omitempty"`
	Changes []APIChange `yaml:"changes" json:"changes,omitempty"`
	Pos     Pos         `yaml:"-" json:"-"`
}

// APIChange records where Android changed an API's behaviour.
type APIChange struct {
	SDK    int    `yaml:"sdk" json:"sdk"`
	Effect string `yaml:"effect" json:"effect"` // restricted | removed | placeholder | needs-permission
	Note   string `yaml:"note" json:"note,omitempty"`
}

// SDK is a third-party library recognised by its package names.
type SDK struct {
	ID         string   `yaml:"id" json:"id"`
	Name       string   `yaml:"name" json:"name"`
	Vendor     string   `yaml:"vendor" json:"vendor,omitempty"`
	Website    string   `yaml:"website" json:"website,omitempty"`
	Kinds      []string `yaml:"kinds" json:"kinds"`
	DataTypes  []string `yaml:"dataTypes" json:"dataTypes"`
	ExodusID   int      `yaml:"exodusId" json:"exodusId,omitempty"`
	Signatures []string `yaml:"signatures" json:"signatures"`     // dotted package or class-name prefixes
	Regexes    []string `yaml:"regexes" json:"regexes,omitempty"` // RE2 over the dotted class name
	Hosts      []string `yaml:"hosts" json:"hosts,omitempty"`     // domains; cover their subdomains
	Pos        Pos      `yaml:"-" json:"-"`
}

// StringRule matches constant strings: content URIs, intent actions,
// settings keys and hosts.
type StringRule struct {
	ID          string   `yaml:"id" json:"id"`
	Kind        string   `yaml:"kind" json:"kind"`   // content-uri | intent-action | setting | host
	Match       string   `yaml:"match" json:"match"` // exact | prefix
	Values      []string `yaml:"values" json:"values"`
	DataTypes   []string `yaml:"dataTypes" json:"dataTypes"`
	Permissions []string `yaml:"permissions" json:"permissions,omitempty"`
	Summary     string   `yaml:"summary" json:"summary,omitempty"`
	Pos         Pos      `yaml:"-" json:"-"`
}

// Override records a user-directory entry that replaced an earlier one with
// the same id (or permission name).
type Override struct {
	Kind string // category | dataType | permission | api | sdk | string
	ID   string
	Old  Pos
	New  Pos
}

// Catalog is the merged, loaded rules catalog. Every slice is sorted by id
// (permissions by name). Treat it as read-only once loaded: the lookup maps
// and the Matcher are built from it.
type Catalog struct {
	Version     string // rules/data/VERSION, "2026.11.28"
	Dirs        []string
	Categories  []Category
	DataTypes   []DataType
	Permissions []Permission
	APIs        []API
	SDKs        []SDK
	Strings     []StringRule
	Overrides   []Override // user entries that replaced earlier ones, in load order

	// duplicates found while loading (same id twice within one directory),
	// reported by Validate.
	duplicates []Problem

	dataTypeByID   map[string]*DataType
	categoryByID   map[string]*Category
	permissionByNm map[string]*Permission
	sdkByID        map[string]*SDK
	apiByID        map[string]*API
	stringByID     map[string]*StringRule

	matcherOnce sync.Once
	matcher     *Matcher
}

func (c *Catalog) index() {
	c.dataTypeByID = make(map[string]*DataType, len(c.DataTypes))
	for i := range c.DataTypes {
		c.dataTypeByID[c.DataTypes[i].ID] = &c.DataTypes[i]
	}
	c.categoryByID = make(map[string]*Category, len(c.Categories))
	for i := range c.Categories {
		c.categoryByID[c.Categories[i].ID] = &c.Categories[i]
	}
	c.permissionByNm = make(map[string]*Permission, len(c.Permissions))
	for i := range c.Permissions {
		c.permissionByNm[c.Permissions[i].Name] = &c.Permissions[i]
	}
	c.sdkByID = make(map[string]*SDK, len(c.SDKs))
	for i := range c.SDKs {
		c.sdkByID[c.SDKs[i].ID] = &c.SDKs[i]
	}
	c.apiByID = make(map[string]*API, len(c.APIs))
	for i := range c.APIs {
		c.apiByID[c.APIs[i].ID] = &c.APIs[i]
	}
	c.stringByID = make(map[string]*StringRule, len(c.Strings))
	for i := range c.Strings {
		c.stringByID[c.Strings[i].ID] = &c.Strings[i]
	}
}

// DataType returns the data type with this id, or nil.
func (c *Catalog) DataType(id string) *DataType { return c.dataTypeByID[id] }

// Category returns the category with this id, or nil.
func (c *Catalog) Category(id string) *Category { return c.categoryByID[id] }

// Permission returns the permission with this name, or nil.
func (c *Catalog) Permission(name string) *Permission { return c.permissionByNm[name] }

// SDK returns the SDK with this id, or nil.
func (c *Catalog) SDK(id string) *SDK { return c.sdkByID[id] }

// API returns the API rule with this id, or nil.
func (c *Catalog) API(id string) *API { return c.apiByID[id] }

// StringRule returns the string rule with this id, or nil.
func (c *Catalog) StringRule(id string) *StringRule { return c.stringByID[id] }
