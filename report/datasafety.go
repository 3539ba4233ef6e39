package report

import (
	"cmp"
	"slices"
	"strings"
)

// DataSafetySchemaID names the data safety view format.
const DataSafetySchemaID = "apklens.datasafety/v1"

// DataSafety is the Google Play Data safety view of a report: the Play
// data types the app likely collects, each with the strongest status of the
// apklens data types behind it, their owners and evidence. It is what a
// store listing's "Data collected" section should be held against.
type DataSafety struct {
	Schema string           `json:"schema"`
	File   DataSafetyFile   `json:"file"`
	App    DataSafetyApp    `json:"app"`
	Types  []DataSafetyType `json:"types"`
	// Unmapped are data types found that Play's form does not ask about
	// (device details, network details, ...), for completeness.
	Unmapped []string `json:"unmapped"`
}

// DataSafetyFile identifies the input.
type DataSafetyFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// DataSafetyApp identifies the app.
type DataSafetyApp struct {
	Package     string `json:"package"`
	VersionName string `json:"versionName"`
	VersionCode int64  `json:"versionCode"`
}

// DataSafetyType is one Play Data safety type ("Location / Precise location").
type DataSafetyType struct {
	Category  string     `json:"category"` // "Location"
	Type      string     `json:"type"`     // "Precise location"
	Status    string     `json:"status"`   // strongest status of DataTypes
	DataTypes []string   `json:"dataTypes"`
	Owners    []string   `json:"owners"`
	Evidence  []Evidence `json:"evidence"`
}

// DataSafetyView maps a report's data types onto Play Data safety types.
func DataSafetyView(r *Report) *DataSafety {
	v := &DataSafety{Schema: DataSafetySchemaID,
		File: DataSafetyFile{Path: r.File.Path, SHA256: r.File.SHA256},
		App:  DataSafetyApp{Package: r.App.Package, VersionName: r.App.VersionName, VersionCode: r.App.VersionCode}}
	byType := map[string]*DataSafetyType{}
	owners := map[string]map[string]bool{}
	for _, dt := range r.DataTypes {
		if dt.PlayDataSafety == "" {
			v.Unmapped = append(v.Unmapped, dt.ID)
			continue
		}
		t := byType[dt.PlayDataSafety]
		if t == nil {
			cat, typ, ok := strings.Cut(dt.PlayDataSafety, " / ")
			if !ok {
				cat, typ = dt.PlayDataSafety, dt.PlayDataSafety
			}
			t = &DataSafetyType{Category: strings.TrimSpace(cat), Type: strings.TrimSpace(typ), Status: dt.Status}
			byType[dt.PlayDataSafety] = t
			owners[dt.PlayDataSafety] = map[string]bool{}
		}
		if stronger(dt.Status, t.Status) {
			t.Status = dt.Status
		}
		t.DataTypes = append(t.DataTypes, dt.ID)
		for _, o := range dt.Owners {
			owners[dt.PlayDataSafety][o] = true
		}
		t.Evidence = append(t.Evidence, dt.Evidence...)
	}
	for key, t := range byType {
		t.DataTypes = sortedUnique(t.DataTypes)
		t.Owners = sortedKeys(owners[key])
		sortEvidence(t.Evidence)
		t.Evidence = slices.Compact(t.Evidence)
		v.Types = append(v.Types, *t)
	}
	slices.SortFunc(v.Types, func(x, y DataSafetyType) int {
		return cmp.Or(cmp.Compare(statusRank(x.Status), statusRank(y.Status)), cmp.Compare(x.Category, y.Category), cmp.Compare(x.Type, y.Type))
	})
	v.Types = nonNil(v.Types)
	v.Unmapped = nonNil(sortedUnique(v.Unmapped))
	return v
}
