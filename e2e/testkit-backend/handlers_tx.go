package main

import (
	"encoding/json"

	"github.com/boltrx/boltrx"
)

// txEntry is an explicit transaction or the transaction of one attempt
// of a managed transaction.
type txEntry struct {
	explicit *boltrx.ExplicitTransaction
	managed  boltrx.ManagedTransaction
}

// txOf decodes a request naming a transaction and finds it.
func txOf(b *backend, req request, f any) (*txEntry, string, error) {
	var ids struct {
		TxID string `json:"txId"`
	}
	if err := decode(req, &ids); err != nil {
		return nil, "", err
	}
	if f != nil {
		if err := decode(req, f); err != nil {
			return nil, "", err
		}
	}
	tx, err := lookup(b.txs, "transaction", ids.TxID)
	return tx, ids.TxID, err
}

// explicitOf finds an explicit transaction: commit, rollback and close
// are not part of a managed transaction's API.
func explicitOf(b *backend, req request) (*boltrx.ExplicitTransaction, string, error) {
	tx, id, err := txOf(b, req, nil)
	if err != nil {
		return nil, "", err
	}
	if tx.explicit == nil {
		return nil, "", backendErrorf("%s: transaction %s is managed: only its Run is available", req.Name, id)
	}
	return tx.explicit, id, nil
}

func transactionRun(b *backend, req request) (string, any, error) {
	var f struct {
		Cypher string          `json:"cypher"`
		Params json.RawMessage `json:"params"`
	}
	tx, _, err := txOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	params, err := paramsFromJSON(f.Params)
	if err != nil {
		return "", nil, backendErrorf("TransactionRun: %v", err)
	}
	var r *boltrx.Result
	if tx.explicit != nil {
		r, err = tx.explicit.Run(b.ctx, f.Cypher, params)
	} else {
		r, err = tx.managed.Run(b.ctx, f.Cypher, params)
	}
	if err != nil {
		return "", nil, err
	}
	return b.newResult(r)
}

func transactionCommit(b *backend, req request) (string, any, error) {
	tx, id, err := explicitOf(b, req)
	if err != nil {
		return "", nil, err
	}
	if err := tx.Commit(b.ctx); err != nil {
		return "", nil, err
	}
	return "Transaction", map[string]any{"id": id}, nil
}

func transactionRollback(b *backend, req request) (string, any, error) {
	tx, id, err := explicitOf(b, req)
	if err != nil {
		return "", nil, err
	}
	if err := tx.Rollback(b.ctx); err != nil {
		return "", nil, err
	}
	return "Transaction", map[string]any{"id": id}, nil
}

func transactionClose(b *backend, req request) (string, any, error) {
	tx, id, err := explicitOf(b, req)
	if err != nil {
		return "", nil, err
	}
	if err := tx.Close(b.ctx); err != nil {
		return "", nil, err
	}
	return "Transaction", map[string]any{"id": id}, nil
}
