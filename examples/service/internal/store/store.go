// Package store keeps inventory items in memory behind a mutex. It is the
// only place that mutates items; it knows nothing about HTTP.
package store

import (
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ErrNotFound is returned for unknown item ids.
var ErrNotFound = errors.New("item not found")

// ErrDuplicateSKU is returned when a SKU is already used by another item.
var ErrDuplicateSKU = errors.New("sku already exists")

// ErrInsufficientStock is returned when an adjustment would go below zero.
var ErrInsufficientStock = errors.New("insufficient stock")

// Item is one stock-keeping unit.
type Item struct {
	ID         string    `json:"id"`
	SKU        string    `json:"sku" validate:"required,alphanum,min=3,max=32"`
	Name       string    `json:"name" validate:"required,max=200"`
	Quantity   int       `json:"quantity" validate:"min=0"`
	PriceCents int64     `json:"price_cents" validate:"min=0"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Store is a concurrency-safe in-memory item store.
type Store struct {
	mu    sync.RWMutex
	items map[string]Item
	now   func() time.Time
}

// New returns an empty store; now may be nil (time.Now).
func New(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{items: make(map[string]Item), now: now}
}

// Create stores a new item with a fresh id.
func (s *Store) Create(it Item) (Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, existing := range s.items {
		if existing.SKU == it.SKU {
			return Item{}, ErrDuplicateSKU
		}
	}
	it.ID = uuid.NewString()
	it.UpdatedAt = s.now().UTC()
	s.items[it.ID] = it
	return it, nil
}

// Get returns one item.
func (s *Store) Get(id string) (Item, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[id]
	if !ok {
		return Item{}, ErrNotFound
	}
	return it, nil
}

// List returns every item sorted by SKU.
func (s *Store) List() []Item {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Item, 0, len(s.items))
	for _, it := range s.items {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SKU < out[j].SKU })
	return out
}

// Adjust adds delta (possibly negative) to an item's quantity.
func (s *Store) Adjust(id string, delta int) (Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[id]
	if !ok {
		return Item{}, ErrNotFound
	}
	if it.Quantity+delta < 0 {
		return Item{}, ErrInsufficientStock
	}
	it.Quantity += delta
	it.UpdatedAt = s.now().UTC()
	s.items[id] = it
	return it, nil
}

// Delete removes an item.
func (s *Store) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.items[id]; !ok {
		return ErrNotFound
	}
	delete(s.items, id)
	return nil
}

// Stats summarises the stock.
type Stats struct {
	Items      int   `json:"items"`
	Units      int   `json:"units"`
	ValueCents int64 `json:"value_cents"`
}

// Stats computes totals over all items.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var st Stats
	for _, it := range s.items {
		st.Items++
		st.Units += it.Quantity
		st.ValueCents += int64(it.Quantity) * it.PriceCents
	}
	return st
}
