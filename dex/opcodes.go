package dex

// Op is a Dalvik opcode (the low byte of an instruction's first code unit).
type Op uint8

// String returns the dexdump/smali mnemonic ("invoke-virtual",
// "sget-object", "invoke-static/range"); unused opcodes read "unused-xx".
func (op Op) String() string { return opTable[op].name }

// Width returns the instruction length in 16-bit code units, 0 for an unused
// opcode. Payload pseudo-instructions (switch and array data) are sized
// separately from their contents.
func (op Op) Width() int { return int(opTable[op].width) }

// indexKind says which table an instruction's index operand points into.
type indexKind uint8

const (
	idxNone indexKind = iota
	idxString
	idxStringJumbo // const-string/jumbo: 32-bit string index
	idxType
	idxField
	idxMethod
	idxMethodProto // invoke-polymorphic: method index and proto index
	idxCallSite
	idxMethodHandle
	idxProto
	numIndexKinds
)

type opInfo struct {
	name  string
	width uint8 // code units; 0 = unused opcode
	index indexKind
}

// Instruction formats, named as in the Dalvik bytecode spec, map to widths.
const (
	f10x, f12x, f11n, f11x, f10t = 1, 1, 1, 1, 1
	f20t, f22x, f21t, f21s, f21h = 2, 2, 2, 2, 2
	f21c, f23x, f22b, f22t, f22s = 2, 2, 2, 2, 2
	f22c                         = 2
	f32x, f30t, f31t, f31i, f31c = 3, 3, 3, 3, 3
	f35c, f3rc                   = 3, 3
	f45cc, f4rcc                 = 4, 4
	f51l                         = 5
)

var opTable = buildOpTable()

// opWidth and opIndex are opTable's columns packed for the instruction walk.
var opWidth, opIndex = opColumns()

func opColumns() (w [256]uint8, k [256]indexKind) {
	for i, info := range opTable {
		w[i], k[i] = info.width, info.index
	}
	return w, k
}

func buildOpTable() [256]opInfo {
	var t [256]opInfo
	set := func(op int, name string, width int, k indexKind) {
		t[op] = opInfo{name: name, width: uint8(width), index: k}
	}
	// seq assigns consecutive opcodes sharing one format.
	seq := func(first int, width int, k indexKind, names ...string) {
		for i, n := range names {
			set(first+i, n, width, k)
		}
	}
	seq(0x00, f10x, idxNone, "nop")
	seq(0x01, f12x, idxNone, "move")
	seq(0x02, f22x, idxNone, "move/from16")
	seq(0x03, f32x, idxNone, "move/16")
	seq(0x04, f12x, idxNone, "move-wide")
	seq(0x05, f22x, idxNone, "move-wide/from16")
	seq(0x06, f32x, idxNone, "move-wide/16")
	seq(0x07, f12x, idxNone, "move-object")
	seq(0x08, f22x, idxNone, "move-object/from16")
	seq(0x09, f32x, idxNone, "move-object/16")
	seq(0x0a, f11x, idxNone, "move-result", "move-result-wide", "move-result-object", "move-exception")
	seq(0x0e, f10x, idxNone, "return-void")
	seq(0x0f, f11x, idxNone, "return", "return-wide", "return-object")
	seq(0x12, f11n, idxNone, "const/4")
	seq(0x13, f21s, idxNone, "const/16")
	seq(0x14, f31i, idxNone, "const")
	seq(0x15, f21h, idxNone, "const/high16")
	seq(0x16, f21s, idxNone, "const-wide/16")
	seq(0x17, f31i, idxNone, "const-wide/32")
	seq(0x18, f51l, idxNone, "const-wide")
	seq(0x19, f21h, idxNone, "const-wide/high16")
	seq(0x1a, f21c, idxString, "const-string")
	seq(0x1b, f31c, idxStringJumbo, "const-string/jumbo")
	seq(0x1c, f21c, idxType, "const-class")
	seq(0x1d, f11x, idxNone, "monitor-enter", "monitor-exit")
	seq(0x1f, f21c, idxType, "check-cast")
	seq(0x20, f22c, idxType, "instance-of")
	seq(0x21, f12x, idxNone, "array-length")
	seq(0x22, f21c, idxType, "new-instance")
	seq(0x23, f22c, idxType, "new-array")
	seq(0x24, f35c, idxType, "filled-new-array")
	seq(0x25, f3rc, idxType, "filled-new-array/range")
	seq(0x26, f31t, idxNone, "fill-array-data")
	seq(0x27, f11x, idxNone, "throw")
	seq(0x28, f10t, idxNone, "goto")
	seq(0x29, f20t, idxNone, "goto/16")
	seq(0x2a, f30t, idxNone, "goto/32")
	seq(0x2b, f31t, idxNone, "packed-switch", "sparse-switch")
	seq(0x2d, f23x, idxNone, "cmpl-float", "cmpg-float", "cmpl-double", "cmpg-double", "cmp-long")
	seq(0x32, f22t, idxNone, "if-eq", "if-ne", "if-lt", "if-ge", "if-gt", "if-le")
	seq(0x38, f21t, idxNone, "if-eqz", "if-nez", "if-ltz", "if-gez", "if-gtz", "if-lez")
	seq(0x44, f23x, idxNone, "aget", "aget-wide", "aget-object", "aget-boolean", "aget-byte", "aget-char", "aget-short",
		"aput", "aput-wide", "aput-object", "aput-boolean", "aput-byte", "aput-char", "aput-short")
	seq(0x52, f22c, idxField, "iget", "iget-wide", "iget-object", "iget-boolean", "iget-byte", "iget-char", "iget-short",
		"iput", "iput-wide", "iput-object", "iput-boolean", "iput-byte", "iput-char", "iput-short")
	seq(0x60, f21c, idxField, "sget", "sget-wide", "sget-object", "sget-boolean", "sget-byte", "sget-char", "sget-short",
		"sput", "sput-wide", "sput-object", "sput-boolean", "sput-byte", "sput-char", "sput-short")
	seq(0x6e, f35c, idxMethod, "invoke-virtual", "invoke-super", "invoke-direct", "invoke-static", "invoke-interface")
	seq(0x74, f3rc, idxMethod, "invoke-virtual/range", "invoke-super/range", "invoke-direct/range", "invoke-static/range", "invoke-interface/range")
	seq(0x7b, f12x, idxNone, "neg-int", "not-int", "neg-long", "not-long", "neg-float", "neg-double",
		"int-to-long", "int-to-float", "int-to-double", "long-to-int", "long-to-float", "long-to-double",
		"float-to-int", "float-to-long", "float-to-double", "double-to-int", "double-to-long", "double-to-float",
		"int-to-byte", "int-to-char", "int-to-short")
	binops := []string{"add-int", "sub-int", "mul-int", "div-int", "rem-int", "and-int", "or-int", "xor-int", "shl-int", "shr-int", "ushr-int",
		"add-long", "sub-long", "mul-long", "div-long", "rem-long", "and-long", "or-long", "xor-long", "shl-long", "shr-long", "ushr-long",
		"add-float", "sub-float", "mul-float", "div-float", "rem-float",
		"add-double", "sub-double", "mul-double", "div-double", "rem-double"}
	seq(0x90, f23x, idxNone, binops...)
	for i, n := range binops {
		set(0xb0+i, n+"/2addr", f12x, idxNone)
	}
	seq(0xd0, f22s, idxNone, "add-int/lit16", "rsub-int", "mul-int/lit16", "div-int/lit16", "rem-int/lit16",
		"and-int/lit16", "or-int/lit16", "xor-int/lit16")
	seq(0xd8, f22b, idxNone, "add-int/lit8", "rsub-int/lit8", "mul-int/lit8", "div-int/lit8", "rem-int/lit8",
		"and-int/lit8", "or-int/lit8", "xor-int/lit8", "shl-int/lit8", "shr-int/lit8", "ushr-int/lit8")
	seq(0xfa, f45cc, idxMethodProto, "invoke-polymorphic")
	seq(0xfb, f4rcc, idxMethodProto, "invoke-polymorphic/range")
	seq(0xfc, f35c, idxCallSite, "invoke-custom")
	seq(0xfd, f3rc, idxCallSite, "invoke-custom/range")
	seq(0xfe, f21c, idxMethodHandle, "const-method-handle")
	seq(0xff, f21c, idxProto, "const-method-type")
	const hex = "0123456789abcdef"
	for i := range t {
		if t[i].width == 0 {
			t[i].name = "unused-" + string([]byte{hex[i>>4], hex[i&15]})
		}
	}
	return t
}

// Payload pseudo-instructions sit in the nop slot (low byte 0x00) with this
// identifier in the high byte.
const (
	packedSwitchPayload = 0x0100
	sparseSwitchPayload = 0x0200
	fillArrayPayload    = 0x0300
)
