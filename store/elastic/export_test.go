package elastic

// WithSchema returns cfg set to build indices of layout version v with the
// current mapping or, when legacy, one without the english sub-fields: a
// stand-in for an older version of this package.
func WithSchema(cfg Config, v int, legacy bool) Config {
	cfg.schema = &schema{version: v, mappings: mappings(!legacy)}
	return cfg
}
