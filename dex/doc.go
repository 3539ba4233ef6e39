// Package dex is apklens' own reader for Dalvik executables: header and id
// tables, class definitions, code items and the instruction walk that yields
// the methods, fields, strings and types each class references. It is safe on
// hostile input: every count and offset is checked before it is used.
package dex
