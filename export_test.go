package boltrx

// RoutingTableForTest exposes RoutingTable to the package's external tests.
func (d *Driver) RoutingTableForTest(database string) (RoutingTable, bool) {
	return d.RoutingTable(database)
}

// RoutingDatabasesForTest lists the databases whose routing tables the
// driver holds.
func (d *Driver) RoutingDatabasesForTest() []string {
	if d.router == nil {
		return nil
	}
	return d.router.Databases()
}
