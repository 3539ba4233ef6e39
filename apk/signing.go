package apk

import (
	//lint:ignore SA1019 old APKs are still signed with DSA keys; we only report their size
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/smallstep/pkcs7"
)

// APK Signing Block (source.android.com, "APK Signature Scheme v2"): it sits
// right before the central directory and ends with a 24-byte footer: uint64
// size (excluding this first size field) and the magic "APK Sig Block 42".
// It starts with the same uint64 size, followed by uint64-length-prefixed
// (uint32 id, value) pairs.

const (
	sigBlockMagic   = "APK Sig Block 42"
	sigFooterLen    = 24
	sigBlockMaxSize = 64 << 20 // real blocks are kilobytes; verity padding stays far below this

	blockIDv2  = 0x7109871a
	blockIDv3  = 0xf05368c0
	blockIDv31 = 0x1b93ad61
)

var schemeOrder = []string{"v1", "v2", "v3", "v3.1"}

// sigBlockError says what is wrong in the signing block and where.
type sigBlockError struct {
	off int64
	msg string
}

func (e *sigBlockError) Error() string {
	return fmt.Sprintf("APK signing block at offset %d: %s", e.off, e.msg)
}

// signingBlock returns the id-value pairs of the APK Signing Block that ends
// at cdOffset, or nil if there is none.
func signingBlock(ra io.ReaderAt, cdOffset int64) (map[uint32][]byte, error) {
	if cdOffset < sigFooterLen+8 {
		return nil, nil
	}
	var foot [sigFooterLen]byte
	if _, err := ra.ReadAt(foot[:], cdOffset-sigFooterLen); err != nil {
		return nil, nil
	}
	if string(foot[8:]) != sigBlockMagic {
		return nil, nil
	}
	size := binary.LittleEndian.Uint64(foot[:])
	if size < sigFooterLen || size > sigBlockMaxSize || int64(size) > cdOffset-8 {
		return nil, &sigBlockError{cdOffset - sigFooterLen, fmt.Sprintf("size %d out of range", size)}
	}
	start := cdOffset - int64(size) - 8
	block := make([]byte, size+8)
	if _, err := ra.ReadAt(block, start); err != nil {
		return nil, &sigBlockError{start, "unreadable"}
	}
	return parseSigningBlock(block, start)
}

// parseSigningBlock parses a whole block (both size fields and the magic).
func parseSigningBlock(block []byte, start int64) (map[uint32][]byte, error) {
	if len(block) < 8+sigFooterLen {
		return nil, &sigBlockError{start, "shorter than its header and footer"}
	}
	head := binary.LittleEndian.Uint64(block)
	tail := binary.LittleEndian.Uint64(block[len(block)-sigFooterLen:])
	if head != tail || head != uint64(len(block)-8) {
		return nil, &sigBlockError{start, fmt.Sprintf("leading size %d disagrees with footer size %d", head, tail)}
	}
	if string(block[len(block)-16:]) != sigBlockMagic {
		return nil, &sigBlockError{start, "magic missing"}
	}
	pairs := block[8 : len(block)-sigFooterLen]
	out := map[uint32][]byte{}
	for p := 0; p < len(pairs); {
		if len(pairs)-p < 8 {
			return out, &sigBlockError{start + 8 + int64(p), "truncated pair length"}
		}
		n := binary.LittleEndian.Uint64(pairs[p:])
		p += 8
		if n < 4 || n > uint64(len(pairs)-p) {
			return out, &sigBlockError{start + int64(p), fmt.Sprintf("pair length %d out of range", n)}
		}
		id := binary.LittleEndian.Uint32(pairs[p:])
		if _, dup := out[id]; !dup {
			out[id] = pairs[p+4 : p+int(n)]
		}
		p += int(n)
	}
	return out, nil
}

// lpReader reads uint32-length-prefixed fields, as v2/v3 blocks nest them.
type lpReader struct {
	b   []byte
	err error
}

func (r *lpReader) next(what string) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < 4 {
		r.err = fmt.Errorf("%s: truncated length", what)
		return nil
	}
	n := binary.LittleEndian.Uint32(r.b)
	if uint64(n) > uint64(len(r.b)-4) {
		r.err = fmt.Errorf("%s: length %d exceeds the %d bytes left", what, n, len(r.b)-4)
		return nil
	}
	v := r.b[4 : 4+n]
	r.b = r.b[4+n:]
	return v
}

// schemeCertificates returns the DER certificates of every signer of a v2 or
// v3(.1) block value: signers → signer → signed data → certificates. The
// layout of these first fields is the same in v2 and v3.
func schemeCertificates(value []byte) ([][]byte, error) {
	outer := &lpReader{b: value}
	signers := &lpReader{b: outer.next("signers")}
	if outer.err != nil {
		return nil, outer.err
	}
	var certs [][]byte
	for i := 0; len(signers.b) > 0; i++ {
		signer := &lpReader{b: signers.next(fmt.Sprintf("signer %d", i))}
		signed := &lpReader{b: signer.next(fmt.Sprintf("signer %d signed data", i))}
		signed.next(fmt.Sprintf("signer %d digests", i))
		list := &lpReader{b: signed.next(fmt.Sprintf("signer %d certificates", i))}
		for _, r := range []*lpReader{signers, signer, signed, list} {
			if r.err != nil {
				return certs, r.err
			}
		}
		for j := 0; len(list.b) > 0; j++ {
			der := list.next(fmt.Sprintf("signer %d certificate %d", i, j))
			if list.err != nil {
				return certs, list.err
			}
			certs = append(certs, der)
		}
	}
	return certs, nil
}

// readSigning collects schemes and certificates of one APK. Problems become
// warnings: a broken signature does not stop the analysis of the code.
func (a *archive) readSigning() Signing {
	byHash := map[string]*Certificate{}
	schemes := map[string]bool{}
	add := func(scheme string, der []byte) {
		sum := sha256.Sum256(der)
		key := hex.EncodeToString(sum[:])
		c := byHash[key]
		if c == nil {
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				a.warns.add(WarnSigningMalformed, "%s: %s certificate does not parse: %v", a.labelOrInput(), scheme, err)
				return
			}
			c = describeCertificate(cert, der)
			byHash[key] = c
		}
		if !contains(c.Schemes, scheme) {
			c.Schemes = append(c.Schemes, scheme)
		}
		schemes[scheme] = true
	}

	a.readV1(add, schemes)

	pairs, err := signingBlock(a.ra, a.end.cdOffset)
	if err != nil {
		a.warns.add(WarnSigningMalformed, "%s: %v", a.labelOrInput(), err)
	}
	for _, s := range []struct {
		id     uint32
		scheme string
	}{{blockIDv2, "v2"}, {blockIDv3, "v3"}, {blockIDv31, "v3.1"}} {
		value, ok := pairs[s.id]
		if !ok {
			continue
		}
		schemes[s.scheme] = true
		ders, err := schemeCertificates(value)
		if err != nil {
			a.warns.add(WarnSigningMalformed, "%s: %s block: %v", a.labelOrInput(), s.scheme, err)
		}
		for _, der := range ders {
			add(s.scheme, der)
		}
	}

	var sg Signing
	for _, s := range schemeOrder {
		if schemes[s] {
			sg.Schemes = append(sg.Schemes, s)
		}
	}
	for _, c := range byHash {
		sortSchemes(c.Schemes)
		sg.Certificates = append(sg.Certificates, *c)
	}
	sort.Slice(sg.Certificates, func(i, j int) bool { return sg.Certificates[i].SHA256 < sg.Certificates[j].SHA256 })
	return sg
}

// readV1 reads META-INF/*.RSA|*.DSA|*.EC (PKCS#7 SignedData). v1 counts as
// present when such a block exists beside its .SF file.
func (a *archive) readV1(add func(string, []byte), schemes map[string]bool) {
	for _, f := range a.entries {
		name := f.Name
		if !isSignatureBlock(name) {
			continue
		}
		sf := name[:strings.LastIndexByte(name, '.')] + ".SF"
		if !a.has(sf) {
			continue
		}
		schemes["v1"] = true
		data, err := a.read(f)
		if err != nil {
			a.warns.add(WarnSigningMalformed, "%s: %v", a.where(name), err)
			continue
		}
		p7, err := pkcs7.Parse(data)
		if err != nil {
			a.warns.add(WarnSigningMalformed, "%s: not a PKCS#7 signature: %v", a.where(name), err)
			continue
		}
		certs := p7.Certificates
		if signer := p7.GetOnlySigner(); signer != nil {
			certs = []*x509.Certificate{signer}
		}
		for _, c := range certs {
			add("v1", c.Raw)
		}
	}
}

func isSignatureBlock(name string) bool {
	if !strings.HasPrefix(name, "META-INF/") || strings.Count(name, "/") != 1 {
		return false
	}
	up := strings.ToUpper(name)
	return strings.HasSuffix(up, ".RSA") || strings.HasSuffix(up, ".DSA") || strings.HasSuffix(up, ".EC")
}

func isSignatureFile(name string) bool {
	if !strings.HasPrefix(name, "META-INF/") || strings.Count(name, "/") != 1 {
		return false
	}
	up := strings.ToUpper(name)
	return isSignatureBlock(name) || strings.HasSuffix(up, ".SF") || up == "META-INF/MANIFEST.MF"
}

func describeCertificate(c *x509.Certificate, der []byte) *Certificate {
	s256 := sha256.Sum256(der)
	s1 := sha1.Sum(der)
	out := &Certificate{
		SHA256:    hex.EncodeToString(s256[:]),
		SHA1:      hex.EncodeToString(s1[:]),
		Subject:   c.Subject.String(),
		Issuer:    c.Issuer.String(),
		NotBefore: c.NotBefore.UTC(),
		NotAfter:  c.NotAfter.UTC(),
	}
	if c.SerialNumber != nil {
		out.Serial = c.SerialNumber.Text(16)
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		out.KeyAlgorithm, out.KeyBits = "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		out.KeyAlgorithm = "EC"
		if k.Curve != nil {
			out.KeyBits = k.Curve.Params().BitSize
		}
	case *dsa.PublicKey:
		out.KeyAlgorithm = "DSA"
		if k.P != nil {
			out.KeyBits = k.P.BitLen()
		}
	case ed25519.PublicKey:
		out.KeyAlgorithm, out.KeyBits = "Ed25519", 256
	default:
		out.KeyAlgorithm = c.PublicKeyAlgorithm.String()
	}
	return out
}

func sortSchemes(s []string) {
	rank := func(x string) int {
		for i, y := range schemeOrder {
			if x == y {
				return i
			}
		}
		return len(schemeOrder)
	}
	sort.Slice(s, func(i, j int) bool { return rank(s[i]) < rank(s[j]) })
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
