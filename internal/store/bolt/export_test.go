package bolt

// WithMigrations replaces the migration table for one Open (tests of the hook).
func WithMigrations(o Options, m map[int]Migration) Options {
	o.migrations = m
	return o
}
