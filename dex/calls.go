package dex

import (
	"cmp"
	"slices"
)

// Call is one distinct call from a method to a method, as strings.
type Call struct {
	Caller string // "Lcom/x/Y;->run()V"
	Callee string // "Landroid/x/Z;->get(I)Ljava/lang/String;"
	Op     Op     // the first invoke instruction in Caller that targets Callee
}

// Calls lists every distinct (caller, callee) method call in the file's
// code, sorted by Caller then Callee. Like VisitClasses it carries on past
// malformed classes and methods and returns their errors with the result.
func (f *File) Calls() ([]Call, error) {
	var calls []Call
	var buf []byte
	caller, callerIdx := "", uint32(NoIndex)
	err := f.VisitClasses(func(cr *ClassRefs) error {
		for _, r := range cr.Refs {
			if r.Kind != RefMethod {
				continue
			}
			if r.Caller != callerIdx {
				caller, callerIdx = f.MethodString(r.Caller), r.Caller
			}
			var err error
			if buf, err = f.AppendMethod(buf[:0], r.Index); err != nil {
				continue // a callee index was checked by the walk, but its proto may be broken
			}
			calls = append(calls, Call{Caller: caller, Callee: string(buf), Op: r.Op})
		}
		return nil
	})
	slices.SortFunc(calls, func(a, b Call) int {
		if c := cmp.Compare(a.Caller, b.Caller); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Callee, b.Callee); c != 0 {
			return c
		}
		return cmp.Compare(a.Op, b.Op)
	})
	return slices.CompactFunc(calls, func(a, b Call) bool { return a.Caller == b.Caller && a.Callee == b.Callee }), err
}

// DefinedClasses returns the descriptors of the classes this file defines,
// sorted. A descriptor that cannot be read is left out.
func (f *File) DefinedClasses() []string {
	out := make([]string, 0, len(f.classDefs))
	for _, cd := range f.classDefs {
		if s := f.TypeString(cd.Type); s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
