// Package apk opens Android application packages (APK, APKS and XAPK sets and
// other zips of APKs) safely: it bounds what is inflated, tolerates the zip
// tricks Android accepts, finds the base APK and its splits, collects the dex
// files in load order (plus nested dex), and reads signing certificates.
package apk
