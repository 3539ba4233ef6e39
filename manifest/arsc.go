package manifest

// resources resolves resource ids in the default configuration.
type resources struct {
}

func loadResources(arsc []byte, ids []uint32) (*resources, *Warning) {
	return nil, nil
}

func (r *resources) lookup(id uint32) (any, bool) {
	if r == nil {
		return nil, false
	}
	return nil, false
}
