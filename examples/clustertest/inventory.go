// Package clustertest shows how to test your own code that uses boltrx
// against the simulated Neo4j cluster of e2e/cluster. The application
// code is Inventory, in this file; inventory_test.go is the test you
// would write for it: causal reads while followers lag, a leader that
// moves, a member that dies and comes back.
package clustertest

import (
	"context"
	"errors"
	"fmt"

	"github.com/boltrx/boltrx"
)

// Inventory keeps a list of stock items in Neo4j, as :InventoryItem nodes
// with a unique name. It uses the driver the recommended way: a session
// per unit of work, managed transactions (retried by the driver when the
// cluster changes under them), and one bookmark manager for all its
// sessions. It is safe for concurrent use.
type Inventory struct {
	driver    *boltrx.Driver
	bookmarks boltrx.BookmarkManager
}

// NewInventory returns an Inventory that works through driver. bookmarks
// chains its sessions causally: every CountItems sees every AddItem that
// returned before it started, even when it runs on a follower that lags.
// With nil it gives that up: a read may then run on a follower that has
// not applied the latest writes yet.
func NewInventory(driver *boltrx.Driver, bookmarks boltrx.BookmarkManager) *Inventory {
	return &Inventory{driver: driver, bookmarks: bookmarks}
}

// Setup creates the uniqueness constraint on item names that AddItem
// relies on (Neo4j 4.4 or newer); it does nothing when it exists.
func (inv *Inventory) Setup(ctx context.Context) error {
	_, err := inv.driver.ExecuteQuery(ctx,
		"CREATE CONSTRAINT inventory_item_name IF NOT EXISTS FOR (i:InventoryItem) REQUIRE i.name IS UNIQUE", nil,
		inv.queryBookmarks())
	return err
}

// queryBookmarks makes ExecuteQuery use the inventory's bookmark manager
// (or none).
func (inv *Inventory) queryBookmarks() boltrx.ExecuteQueryConfigurationOption {
	if inv.bookmarks == nil {
		return boltrx.ExecuteQueryWithoutBookmarkManager()
	}
	return boltrx.ExecuteQueryWithBookmarkManager(inv.bookmarks)
}

// maxAddAttempts bounds AddItem's own retries (see AddItem).
const maxAddAttempts = 3

// AddItem adds an item called name. Adding a name that is there already
// changes nothing, which makes AddItem safe to repeat: it does so itself
// when the driver cannot tell whether the item was committed.
func (inv *Inventory) AddItem(ctx context.Context, name string) error {
	var err error
	for attempt := 1; attempt <= maxAddAttempts; attempt++ {
		if err = inv.addOnce(ctx, name); err == nil || !commitOutcomeUnknown(err) || ctx.Err() != nil {
			return err
		}
	}
	return fmt.Errorf("adding %q: %w", name, err)
}

// addOnce runs one managed write transaction that adds the item.
func (inv *Inventory) addOnce(ctx context.Context, name string) error {
	session, err := inv.driver.NewSession(ctx, boltrx.SessionConfig{BookmarkManager: inv.bookmarks})
	if err != nil {
		return err
	}
	defer session.Close(context.WithoutCancel(ctx))
	_, err = session.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, "MERGE (i:InventoryItem {name: $name})", map[string]any{"name": name})
		if err != nil {
			return nil, err
		}
		return res.Consume(ctx)
	})
	return err
}

// commitOutcomeUnknown reports the one failure ExecuteWrite hands back
// without retrying that idempotent work may retry: a connection lost
// while COMMIT was under way (a member died), when the transaction may or
// may not have committed. Retrying non-idempotent work after it could
// apply it twice, which is why the driver leaves the decision to the
// application. A TransactionExecutionLimit means the driver already
// retried for MaxTransactionRetryTime: AddItem gives up then.
func commitOutcomeUnknown(err error) bool {
	return boltrx.IsConnectivityError(err) && !boltrx.IsRetryable(err) && !boltrx.IsTransactionExecutionLimit(err)
}

// errNoCount reports a count query that did not return one integer.
var errNoCount = errors.New("clustertest: the count query returned no integer")

// CountItems returns how many items the inventory holds. In a cluster it
// reads from a follower.
func (inv *Inventory) CountItems(ctx context.Context) (int64, error) {
	session, err := inv.driver.NewSession(ctx, boltrx.SessionConfig{BookmarkManager: inv.bookmarks})
	if err != nil {
		return 0, err
	}
	defer session.Close(context.WithoutCancel(ctx))
	n, err := session.ExecuteRead(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, "MATCH (i:InventoryItem) RETURN count(i) AS n", nil)
		if err != nil {
			return nil, err
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return nil, err
		}
		n, isNil, err := boltrx.GetRecordValue[int64](rec, "n")
		if err == nil && isNil {
			err = errNoCount
		}
		return n, err
	})
	if err != nil {
		return 0, err
	}
	count, ok := n.(int64)
	if !ok {
		return 0, errNoCount
	}
	return count, nil
}
