// Package apk opens Android application packages (APK, APKS and XAPK sets and
// other zips of APKs) safely: it bounds what is inflated, tolerates the zip
// tricks Android accepts, finds the base APK and its splits, collects the dex
// files in load order (plus nested dex), and reads signing certificates.
//
// Where Android tolerates a malformed archive, so does this package, and it
// says so in a Warning; where Android refuses an entry, the entry is not
// read. The behaviour follows AOSP sources:
//
//   - Duplicate entry names: libziparchive refuses the archive since the
//     2013 "Master Key" fix (kDuplicateEntry); before it, the native loader
//     used the first entry. We use the first and warn (zip.duplicate-entry).
//   - Compression methods other than 0 and 8: androidfw's ApkAssets/
//     AssetsProvider (Android 9+) inflates only method 8 and maps anything
//     else as stored; ZipFileRO (Android 8 and older) copied only method 0
//     and inflated anything else. We take the reading whose CRC-32 matches,
//     stored first (zip.unknown-method).
//   - The encryption flag: libziparchive ignores it (zip.encrypted-flag).
//   - Central directory vs local header: libziparchive takes method and sizes
//     from the central directory, and refuses an entry whose local name, or
//     sizes and CRC (or data descriptor), disagree (zip.header-mismatch).
//     CRCs of the data are not checked (kCrcChecksEnabled = false).
//   - Bytes before the first entry: libziparchive requires a local header at
//     offset 0 since the Janus fix (bug 64211847, December 2017)
//     (zip.prefix-data, naming a DEX prefix).
//   - Dex load order: ART opens classes.dex, classes2.dex, ... and stops at
//     the first name missing or unreadable (DexFileLoader); every other dex
//     is reported as nested code.
//   - The split attribute: PackageParser reads the root element's
//     un-namespaced "split" attribute; an empty value means none.
package apk
