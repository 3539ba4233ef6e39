package apk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// This file walks the zip end records and central directory itself, only
// for what archive/zip does not expose: the central directory offset (the
// APK Signing Block sits right before it), local header offsets (prefix data,
// local/central disagreement). Entry contents are always read through
// archive/zip.

const (
	eocdLen           = 22
	eocdSig           = 0x06054b50
	zip64LocatorLen   = 20
	zip64LocatorSig   = 0x07064b50
	zip64EOCDSig      = 0x06064b50
	zip64EOCDLen      = 56
	cdHeaderLen       = 46
	cdHeaderSig       = 0x02014b50
	localHeaderLen    = 30
	localHeaderSig    = 0x04034b50
	maxEOCDSearch     = eocdLen + 0xffff
	uint32Max         = 0xffffffff
	uint16Max         = 0xffff
	zip64ExtraFieldID = 0x0001
)

// zipEnd is what the end of central directory says.
type zipEnd struct {
	eocdOffset int64 // where the (32-bit) EOCD record starts
	cdOffset   int64 // absolute offset of the central directory in the file
	cdSize     int64
	records    uint64
	// base is the archive's start in the file when the directory offsets
	// are relative to a prefix that was prepended later (archive/zip's
	// baseOffset); 0 for normal and for offset-adjusted (Janus) files.
	base int64
}

// zipMetaError says which structure is bad and where.
type zipMetaError struct {
	what string
	off  int64
}

func (e *zipMetaError) Error() string { return fmt.Sprintf("%s at offset %d", e.what, e.off) }

var errNoEOCD = errors.New("no end of central directory")

// findEnd locates the EOCD by scanning backwards over at most the last
// 64 KiB + 22 bytes, as every zip reader does.
func findEnd(ra io.ReaderAt, size int64) (zipEnd, error) {
	if size < eocdLen {
		return zipEnd{}, errNoEOCD
	}
	n := min(size, int64(maxEOCDSearch))
	buf := make([]byte, n)
	if _, err := ra.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return zipEnd{}, err
	}
	for i := len(buf) - eocdLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) != eocdSig {
			continue
		}
		commentLen := int(binary.LittleEndian.Uint16(buf[i+20:]))
		if i+eocdLen+commentLen > len(buf) {
			continue // a stray signature inside the comment area
		}
		e := zipEnd{
			eocdOffset: size - n + int64(i),
			records:    uint64(binary.LittleEndian.Uint16(buf[i+10:])),
			cdSize:     int64(binary.LittleEndian.Uint32(buf[i+12:])),
			cdOffset:   int64(binary.LittleEndian.Uint32(buf[i+16:])),
		}
		if e.records == uint16Max || e.cdSize == uint32Max || e.cdOffset == uint32Max {
			if err := readZip64End(ra, &e); err != nil {
				return zipEnd{}, err
			}
		}
		return e, e.resolveBase(ra, size)
	}
	return zipEnd{}, errNoEOCD
}

func readZip64End(ra io.ReaderAt, e *zipEnd) error {
	locOff := e.eocdOffset - zip64LocatorLen
	if locOff < 0 {
		return nil // the 0xffff values were real, not zip64 markers
	}
	var loc [zip64LocatorLen]byte
	if _, err := ra.ReadAt(loc[:], locOff); err != nil {
		return nil
	}
	if binary.LittleEndian.Uint32(loc[:]) != zip64LocatorSig {
		return nil
	}
	recOff := binary.LittleEndian.Uint64(loc[8:])
	if recOff > uint64(locOff) || uint64(locOff)-recOff < zip64EOCDLen {
		return &zipMetaError{"zip64 end record offset out of range", locOff}
	}
	var rec [zip64EOCDLen]byte
	if _, err := ra.ReadAt(rec[:], int64(recOff)); err != nil {
		return &zipMetaError{"zip64 end record unreadable", int64(recOff)}
	}
	if binary.LittleEndian.Uint32(rec[:]) != zip64EOCDSig {
		return &zipMetaError{"zip64 end record signature missing", int64(recOff)}
	}
	records := binary.LittleEndian.Uint64(rec[32:])
	cdSize := binary.LittleEndian.Uint64(rec[40:])
	cdOff := binary.LittleEndian.Uint64(rec[48:])
	if cdSize > recOff || cdOff > recOff {
		return &zipMetaError{"zip64 central directory out of range", int64(recOff)}
	}
	e.records, e.cdSize, e.cdOffset = records, int64(cdSize), int64(cdOff)
	e.eocdOffset = int64(recOff) // the directory ends where the zip64 record starts
	return nil
}

// resolveBase mirrors archive/zip: if the directory is not where the EOCD
// says but exactly cdSize bytes before the end record, the archive was
// prefixed without fixing offsets, and all offsets are relative to base.
func (e *zipEnd) resolveBase(ra io.ReaderAt, size int64) error {
	if e.cdSize > e.eocdOffset {
		return &zipMetaError{fmt.Sprintf("central directory size %d larger than the file before it", e.cdSize), e.eocdOffset}
	}
	base := e.eocdOffset - e.cdSize - e.cdOffset
	if base < 0 {
		// libziparchive refuses this (kInvalidOffset); archive/zip would
		// rebase every offset below zero.
		return &zipMetaError{fmt.Sprintf("central directory (offset %d, size %d) runs past its end record", e.cdOffset, e.cdSize), e.eocdOffset}
	}
	if o := base + e.cdOffset; o < 0 || o >= size {
		return &zipMetaError{fmt.Sprintf("central directory offset %d outside the file", e.cdOffset), e.eocdOffset}
	}
	if base > 0 {
		var sig [4]byte
		if _, err := ra.ReadAt(sig[:], e.cdOffset); err == nil && binary.LittleEndian.Uint32(sig[:]) == cdHeaderSig {
			base = 0
		}
	}
	e.base = base
	e.cdOffset += base
	return nil
}

// cdRecord is one central directory header, reduced to what we check.
type cdRecord struct {
	name     string
	method   uint16
	flags    uint16
	localOff int64 // absolute (base applied); -1 when zip64 and unresolved
	compSize uint64
}

// readCentralDirectory walks at most maxRecords headers within [cdOffset,
// cdOffset+cdSize). It stops at the first bad header, like archive/zip.
func readCentralDirectory(ra io.ReaderAt, e zipEnd, maxRecords int) ([]cdRecord, error) {
	if e.cdSize <= 0 {
		return nil, nil
	}
	cdLimit := min(e.cdSize, int64(256<<20)) // a 256 MiB directory is already absurd
	buf := make([]byte, cdLimit)
	n, err := ra.ReadAt(buf, e.cdOffset)
	if err != nil && err != io.EOF {
		return nil, err
	}
	buf = buf[:n]
	var out []cdRecord
	for p := 0; p+cdHeaderLen <= len(buf) && len(out) < maxRecords; {
		h := buf[p:]
		if binary.LittleEndian.Uint32(h) != cdHeaderSig {
			break
		}
		nameLen := int(binary.LittleEndian.Uint16(h[28:]))
		extraLen := int(binary.LittleEndian.Uint16(h[30:]))
		commentLen := int(binary.LittleEndian.Uint16(h[32:]))
		end := cdHeaderLen + nameLen + extraLen + commentLen
		if end > len(h) {
			break
		}
		r := cdRecord{
			name:     string(h[cdHeaderLen : cdHeaderLen+nameLen]),
			flags:    binary.LittleEndian.Uint16(h[8:]),
			method:   binary.LittleEndian.Uint16(h[10:]),
			compSize: uint64(binary.LittleEndian.Uint32(h[20:])),
			localOff: int64(binary.LittleEndian.Uint32(h[42:])),
		}
		if r.localOff == uint32Max || r.compSize == uint32Max {
			zip64Extra(h[cdHeaderLen+nameLen:cdHeaderLen+nameLen+extraLen], h, &r)
		}
		if r.localOff >= 0 {
			r.localOff += e.base
		}
		out = append(out, r)
		p += end
	}
	return out, nil
}

// zip64Extra applies the zip64 extended information extra field; fields
// appear only for the header values that are 0xffffffff, in a fixed order.
func zip64Extra(extra, hdr []byte, r *cdRecord) {
	uncomp32 := binary.LittleEndian.Uint32(hdr[24:])
	for len(extra) >= 4 {
		id := binary.LittleEndian.Uint16(extra)
		sz := int(binary.LittleEndian.Uint16(extra[2:]))
		if 4+sz > len(extra) {
			break
		}
		if id == zip64ExtraFieldID {
			f := extra[4 : 4+sz]
			next := func() (uint64, bool) {
				if len(f) < 8 {
					return 0, false
				}
				v := binary.LittleEndian.Uint64(f)
				f = f[8:]
				return v, true
			}
			if uncomp32 == uint32Max {
				next()
			}
			if r.compSize == uint32Max {
				if v, ok := next(); ok {
					r.compSize = v
				}
			}
			if r.localOff == uint32Max {
				if v, ok := next(); ok && v < 1<<62 {
					r.localOff = int64(v)
				} else {
					r.localOff = -1
				}
			}
			return
		}
		extra = extra[4+sz:]
	}
	if r.localOff == uint32Max {
		r.localOff = -1
	}
}

// localHeader is the part of a local file header we compare.
type localHeader struct {
	name           string
	method, flags  uint16
	crc            uint32
	compSize, size uint32
	zip64          bool // sizes are in the zip64 extra field
}

func readLocalHeader(ra io.ReaderAt, off int64) (localHeader, error) {
	var h [localHeaderLen]byte
	if off < 0 {
		return localHeader{}, &zipMetaError{"local header offset unknown (zip64 extra field missing)", off}
	}
	if _, err := ra.ReadAt(h[:], off); err != nil {
		return localHeader{}, &zipMetaError{"local header unreadable", off}
	}
	if binary.LittleEndian.Uint32(h[:]) != localHeaderSig {
		return localHeader{}, &zipMetaError{"local header signature missing", off}
	}
	nameLen := int(binary.LittleEndian.Uint16(h[26:]))
	name := make([]byte, nameLen)
	if _, err := ra.ReadAt(name, off+localHeaderLen); err != nil {
		return localHeader{}, &zipMetaError{"local header name unreadable", off}
	}
	lh := localHeader{
		name:     string(name),
		flags:    binary.LittleEndian.Uint16(h[6:]),
		method:   binary.LittleEndian.Uint16(h[8:]),
		crc:      binary.LittleEndian.Uint32(h[14:]),
		compSize: binary.LittleEndian.Uint32(h[18:]),
		size:     binary.LittleEndian.Uint32(h[22:]),
	}
	lh.zip64 = lh.compSize == uint32Max || lh.size == uint32Max
	return lh, nil
}
