package drivertest_test

import (
	"context"
	"fmt"

	"github.com/boltrx/boltrx"
)

// Product is written as a query parameter and read back from records with
// the same tags.
type Product struct {
	SKU   string   `neo4j:"sku"`
	Title string   `neo4j:"title"`
	Price float64  `neo4j:"price"`
	Tags  []string `neo4j:"tags,omitempty"`
	Notes string   `neo4j:"-"` // never sent, never read
}

// Structs (and slices of them) are query parameters: each becomes a map
// of its tagged fields.
func Example_structParameters() {
	uri, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	driver, _ := boltrx.NewDriver(uri, boltrx.NoAuth())
	defer driver.Close(ctx)

	products := []Product{
		{SKU: "a-1", Title: "Anvil", Price: 99.5, Tags: []string{"heavy"}},
		{SKU: "b-2", Title: "Bucket", Price: 4, Notes: "internal"},
	}
	res, err := driver.ExecuteQuery(ctx,
		"UNWIND $products AS product CREATE (p:Product) SET p = product RETURN count(p) AS created",
		map[string]any{"products": products})
	if err != nil {
		fmt.Println(err)
		return
	}
	created, _ := boltrx.EagerAs[int](res)
	fmt.Println("created:", created[0])
	// Output: created: 2
}

// CollectAs reads the records into structs: `RETURN p` fills the fields
// from the node's properties, `RETURN p.title AS title, ...` from the
// columns.
func Example_collectAs() {
	uri, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	driver, _ := boltrx.NewDriver(uri, boltrx.NoAuth())
	defer driver.Close(ctx)
	session, _ := driver.NewSession(ctx, boltrx.SessionConfig{})
	defer session.Close(ctx)

	_, _ = driver.ExecuteQuery(ctx, "UNWIND $rows AS row CREATE (p:Product) SET p = row",
		map[string]any{"rows": []Product{{SKU: "a-1", Title: "Anvil", Price: 99.5}, {SKU: "b-2", Title: "Bucket", Price: 4}}})

	res, err := session.Run(ctx, "MATCH (p:Product) RETURN p ORDER BY p.sku", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	products, err := boltrx.CollectAs[Product](ctx, res)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range products {
		fmt.Printf("%s %s %.2f\n", p.SKU, p.Title, p.Price)
	}
	// Output:
	// a-1 Anvil 99.50
	// b-2 Bucket 4.00
}

// RecordsAs makes a typed Observable: each pipeline stage gets a Product,
// not a *Record to take apart.
func Example_recordsAs() {
	uri, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	driver, _ := boltrx.NewDriver(uri, boltrx.NoAuth(), func(c *boltrx.Config) { c.FetchSize = 10 })
	defer driver.Close(ctx)
	session, _ := driver.NewSession(ctx, boltrx.SessionConfig{})
	defer session.Close(ctx)

	query := "UNWIND range(1, 100) AS i RETURN 'sku-' + toString(i) AS sku, 'item' AS title, toFloat(i) AS price"
	total, err := boltrx.RecordsAs[Product](session.RunRx(ctx, query, nil)).
		Filter(func(v any) bool { return v.(Product).Price > 50 }).
		Reduce(func(_ context.Context, acc, v any) (any, error) {
			sum, _ := acc.(float64)
			return sum + v.(Product).Price, nil
		}).Get()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("total price above 50:", total.V)
	// Output: total price above 50: 3775
}
