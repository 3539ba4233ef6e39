// Package manifest decodes a binary AndroidManifest.xml (AXML) into apklens'
// Manifest model, resolving resource references through resources.arsc when
// present and normalising obfuscated attribute names the way Android does.
//
// Parse reads the way the package manager reads:
//
//   - A tolerant pre-pass walks the AXML chunks with the checks of Android's
//     ResXMLTree and ResStringPool. What Android rejects is a *FormatError;
//     what it tolerates (unknown or type-0 chunks, odd header sizes, style
//     pools, bad string offsets, junk after the root element, ...) is
//     skipped and noted in Manifest.Warnings.
//   - Framework attributes are found by resource id, not by their name or
//     namespace strings, and take their typed value, as TypedArray does.
//     Element and attribute subtrees Android never reads are dropped.
//   - The result is written as a small canonical AXML document that
//     github.com/shogo82148/androidbinary decodes into our structs; it never
//     sees the input bytes, and a recover() remains as a last defence.
//   - References (@0x7f…) resolve in the default configuration through
//     androidbinary's TableFile, built from a bounds-checked index of
//     resources.arsc that also understands sparse, 16-bit-offset and
//     compact tables. A missing or broken arsc is never an error.
package manifest
