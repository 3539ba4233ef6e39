package apk

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func selfSigned(t testing.TB, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0xabc),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func lp32(parts ...[]byte) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		binary.Write(&b, binary.LittleEndian, uint32(len(p)))
		b.Write(p)
	}
	return b.Bytes()
}

// schemeValue builds a v2/v3 block value with one signer per cert list.
func schemeValue(signers ...[][]byte) []byte {
	var all [][]byte
	for _, certs := range signers {
		signed := lp32(lp32(), lp32(certs...), lp32()) // digests, certificates, attributes
		all = append(all, lp32(signed, lp32(), lp32([]byte("pubkey"))))
	}
	return lp32(lp32(all...))
}

type sigPair struct {
	id    uint32
	value []byte
}

func encodeSigningBlock(pairs ...sigPair) []byte {
	var body bytes.Buffer
	for _, p := range pairs {
		binary.Write(&body, binary.LittleEndian, uint64(4+len(p.value)))
		binary.Write(&body, binary.LittleEndian, p.id)
		body.Write(p.value)
	}
	size := uint64(body.Len() + sigFooterLen)
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, size)
	b.Write(body.Bytes())
	binary.Write(&b, binary.LittleEndian, size)
	b.WriteString(sigBlockMagic)
	return b.Bytes()
}

// withSigningBlock inserts block before the central directory of z.
func withSigningBlock(z, block []byte) []byte {
	eocd := bytes.LastIndex(z, []byte("PK\x05\x06"))
	cd := int(binary.LittleEndian.Uint32(z[eocd+16:]))
	out := append(append(append([]byte(nil), z[:cd]...), block...), z[cd:]...)
	binary.LittleEndian.PutUint32(out[eocd+len(block)+16:], uint32(cd+len(block)))
	return out
}

func TestSigningSchemesAndCertificates(t *testing.T) {
	a, b := selfSigned(t, "signer A"), selfSigned(t, "signer B")
	block := encodeSigningBlock(
		sigPair{0x42726577, make([]byte, 100)}, // verity padding: ignored
		sigPair{blockIDv2, schemeValue([][]byte{a})},
		sigPair{blockIDv3, schemeValue([][]byte{a})},
		sigPair{blockIDv31, schemeValue([][]byte{b})},
	)
	z := withSigningBlock(simpleAPK(t, baseManifest("s")), block)
	app, err := OpenBytes("s.apk", z, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	sg := app.Base.Signing
	if strings.Join(sg.Schemes, ",") != "v2,v3,v3.1" {
		t.Fatalf("schemes %v", sg.Schemes)
	}
	if len(sg.Certificates) != 2 {
		t.Fatalf("%d certificates", len(sg.Certificates))
	}
	want := map[string]string{}
	for cert, schemes := range map[string]string{string(a): "v2,v3", string(b): "v3.1"} {
		s := sha256.Sum256([]byte(cert))
		want[hex.EncodeToString(s[:])] = schemes
	}
	for i, c := range sg.Certificates {
		if i > 0 && sg.Certificates[i-1].SHA256 >= c.SHA256 {
			t.Error("certificates not sorted by SHA256")
		}
		if want[c.SHA256] != strings.Join(c.Schemes, ",") {
			t.Errorf("%s: schemes %v, want %s", c.Subject, c.Schemes, want[c.SHA256])
		}
		if c.KeyAlgorithm != "EC" || c.KeyBits != 256 || c.Serial != "abc" || c.NotBefore.Year() != 2020 {
			t.Errorf("certificate %+v", c)
		}
	}
	if len(app.Warnings) != 0 {
		t.Errorf("warnings %+v", app.Warnings)
	}
}

func TestSigningBlockMalformedIsAWarning(t *testing.T) {
	good := encodeSigningBlock(sigPair{blockIDv2, schemeValue([][]byte{selfSigned(t, "x")})})
	truncCert := encodeSigningBlock(sigPair{blockIDv2, schemeValue([][]byte{[]byte("not DER")})})
	badLen := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(badLen[8+12:], 0xffffff) // signers length
	for name, block := range map[string][]byte{"bad certificate": truncCert, "bad signer length": badLen} {
		z := withSigningBlock(simpleAPK(t, baseManifest("s")), block)
		app, err := OpenBytes("s.apk", z, DefaultLimits())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if hasWarning(app.Warnings, WarnSigningMalformed) == nil || strings.Join(app.Base.Signing.Schemes, ",") != "v2" {
			t.Errorf("%s: warnings %+v schemes %v", name, app.Warnings, app.Base.Signing.Schemes)
		}
	}
}

func TestParseSigningBlock(t *testing.T) {
	good := encodeSigningBlock(sigPair{1, []byte("one")}, sigPair{2, nil}, sigPair{1, []byte("dup")})
	pairs, err := parseSigningBlock(good, 0)
	if err != nil || string(pairs[1]) != "one" || pairs[2] == nil || len(pairs) != 2 {
		t.Fatalf("pairs %v err %v", pairs, err)
	}
	mutate := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	bad := map[string][]byte{
		"short":          good[:20],
		"head size":      mutate(func(b []byte) { b[0]++ }),
		"magic":          mutate(func(b []byte) { b[len(b)-1] = 'x' }),
		"pair too long":  mutate(func(b []byte) { binary.LittleEndian.PutUint64(b[8:], 1<<40) }),
		"pair too short": mutate(func(b []byte) { binary.LittleEndian.PutUint64(b[8:], 3) }),
	}
	for name, b := range bad {
		_, err := parseSigningBlock(b, 100)
		var se *sigBlockError
		if !errors.As(err, &se) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}
