package store

import (
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fixedNow() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) }

func TestCreateAssignsUUIDAndTimestamp(t *testing.T) {
	s := New(fixedNow)
	it, err := s.Create(Item{SKU: "ABC1", Name: "bolt", Quantity: 3})
	require.NoError(t, err)
	_, err = uuid.Parse(it.ID)
	assert.NoError(t, err)
	assert.Equal(t, fixedNow(), it.UpdatedAt)
}

func TestCreateRejectsDuplicateSKU(t *testing.T) {
	s := New(fixedNow)
	_, err := s.Create(Item{SKU: "ABC1", Name: "bolt"})
	require.NoError(t, err)
	_, err = s.Create(Item{SKU: "ABC1", Name: "other"})
	assert.ErrorIs(t, err, ErrDuplicateSKU)
}

func TestAdjustNeverGoesBelowZero(t *testing.T) {
	s := New(fixedNow)
	it, err := s.Create(Item{SKU: "NUT7", Name: "nut", Quantity: 2})
	require.NoError(t, err)
	_, err = s.Adjust(it.ID, -3)
	assert.ErrorIs(t, err, ErrInsufficientStock)
	got, err := s.Adjust(it.ID, -2)
	require.NoError(t, err)
	assert.Equal(t, 0, got.Quantity)
	_, err = s.Adjust("missing", 1)
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestListIsSortedAndStatsAddUp(t *testing.T) {
	s := New(fixedNow)
	for _, it := range []Item{
		{SKU: "ZZZ1", Name: "z", Quantity: 1, PriceCents: 100},
		{SKU: "AAA1", Name: "a", Quantity: 4, PriceCents: 25},
	} {
		_, err := s.Create(it)
		require.NoError(t, err)
	}
	list := s.List()
	require.Len(t, list, 2)
	assert.Equal(t, "AAA1", list[0].SKU)
	assert.Equal(t, Stats{Items: 2, Units: 5, ValueCents: 200}, s.Stats())
}

func TestConcurrentAdjustmentsAreSerialised(t *testing.T) {
	s := New(nil)
	it, err := s.Create(Item{SKU: "CON1", Name: "c"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = s.Adjust(it.ID, 1)
		}()
	}
	wg.Wait()
	got, err := s.Get(it.ID)
	require.NoError(t, err)
	assert.Equal(t, 50, got.Quantity)
	require.NoError(t, s.Delete(it.ID))
	assert.ErrorIs(t, s.Delete(it.ID), ErrNotFound)
}
