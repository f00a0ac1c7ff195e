package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-playground/validator/v10"

	"example.com/inventory/internal/store"
)

type createItemRequest struct {
	SKU        string `json:"sku" validate:"required,alphanum,min=3,max=32"`
	Name       string `json:"name" validate:"required,max=200"`
	Quantity   int    `json:"quantity" validate:"min=0"`
	PriceCents int64  `json:"price_cents" validate:"min=0"`
}

type adjustRequest struct {
	Delta int `json:"delta" validate:"ne=0"`
}

func (a *API) listItems(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.store.List())
}

func (a *API) getItem(w http.ResponseWriter, r *http.Request) {
	it, err := a.store.Get(chi.URLParam(r, "id"))
	if err != nil {
		a.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (a *API) createItem(w http.ResponseWriter, r *http.Request) {
	var req createItemRequest
	if !a.decode(w, r, &req) {
		return
	}
	it, err := a.store.Create(store.Item{SKU: req.SKU, Name: req.Name, Quantity: req.Quantity, PriceCents: req.PriceCents})
	if err != nil {
		a.storeError(w, err)
		return
	}
	a.metrics.Items.Set(float64(a.store.Stats().Items))
	writeJSON(w, http.StatusCreated, it)
}

func (a *API) adjustStock(w http.ResponseWriter, r *http.Request) {
	var req adjustRequest
	if !a.decode(w, r, &req) {
		return
	}
	it, err := a.store.Adjust(chi.URLParam(r, "id"), req.Delta)
	if err != nil {
		a.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (a *API) deleteItem(w http.ResponseWriter, r *http.Request) {
	if err := a.store.Delete(chi.URLParam(r, "id")); err != nil {
		a.storeError(w, err)
		return
	}
	a.metrics.Items.Set(float64(a.store.Stats().Items))
	w.WriteHeader(http.StatusNoContent)
}

// stats collapses concurrent requests into one computation.
func (a *API) stats(w http.ResponseWriter, _ *http.Request) {
	v, _, _ := a.group.Do("stats", func() (any, error) {
		return a.store.Stats(), nil
	})
	writeJSON(w, http.StatusOK, v)
}

// decode reads a JSON body into dst and validates it; it writes the error
// response itself and reports whether the handler may continue.
func (a *API) decode(w http.ResponseWriter, r *http.Request, dst any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		return false
	}
	if err := a.validate.Struct(dst); err != nil {
		writeError(w, http.StatusUnprocessableEntity, validationMessage(err))
		return false
	}
	return true
}

func validationMessage(err error) string {
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return err.Error()
	}
	parts := make([]string, 0, len(verrs))
	for _, fe := range verrs {
		parts = append(parts, fmt.Sprintf("%s: %s", strings.ToLower(fe.Field()), fe.Tag()))
	}
	return "invalid fields: " + strings.Join(parts, ", ")
}

func (a *API) storeError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, store.ErrDuplicateSKU), errors.Is(err, store.ErrInsufficientStock):
		writeError(w, http.StatusConflict, err.Error())
	default:
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}
