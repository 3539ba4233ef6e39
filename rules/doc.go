// Package rules owns apklens' knowledge: the data-category taxonomy and the
// permission, API, SDK and string catalogs embedded from rules/data, their
// loader and validator, and the matcher that turns facts into evidence.
package rules
