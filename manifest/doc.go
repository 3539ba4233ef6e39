// Package manifest decodes a binary AndroidManifest.xml (AXML) into apklens'
// Manifest model, resolving resource references through resources.arsc when
// present and normalising obfuscated attribute names the way Android does.
package manifest
