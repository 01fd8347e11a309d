package handler

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// Password hashes are PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) with a 16-byte
// random salt and 600,000 iterations (OWASP's 2023 figure for PBKDF2-SHA256),
// written in the PHC string format so that the parameters travel with the
// hash: "$pbkdf2-sha256$i=600000$<salt>$<key>", salt and key in unpadded
// standard base64.
const (
	pbkdf2Prefix     = "$pbkdf2-sha256$"
	pbkdf2Iterations = 600_000
	pbkdf2SaltBytes  = 16
	pbkdf2KeyBytes   = 32
	pbkdf2MaxIter    = 10_000_000 // what VerifyPassword accepts, so that a forged hash cannot pin a core
)

var b64 = base64.RawStdEncoding

// HashPassword returns a salted, slow, self-describing hash of password:
// PBKDF2-HMAC-SHA256 with 600,000 iterations and a random 16-byte salt, as
// "$pbkdf2-sha256$i=600000$<salt>$<key>". It is what the handler stores in
// place of a password unless Config.PasswordHash says otherwise; check a
// password against it with VerifyPassword. It is deliberately slow: tens
// of milliseconds of one core.
func HashPassword(password string) (string, error) {
	return hashPassword(password, pbkdf2Iterations)
}

func hashPassword(password string, iterations int) (string, error) {
	salt := make([]byte, pbkdf2SaltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, pbkdf2KeyBytes)
	if err != nil {
		return "", err
	}
	return pbkdf2Prefix + "i=" + strconv.Itoa(iterations) + "$" + b64.EncodeToString(salt) + "$" + b64.EncodeToString(key), nil
}

// ErrUnknownHash is what VerifyPassword returns for a stored value that is
// not a hash HashPassword wrote.
var ErrUnknownHash = errors.New("handler: not a password hash written by HashPassword")

// VerifyPassword reports whether password is the one hash was made from
// by HashPassword, comparing in constant time. A host calls it to check a
// user's login against the value its store keeps in "password".
func VerifyPassword(hash, password string) (bool, error) {
	rest, ok := strings.CutPrefix(hash, pbkdf2Prefix)
	if !ok {
		return false, ErrUnknownHash
	}
	parts := strings.Split(rest, "$")
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "i=") {
		return false, ErrUnknownHash
	}
	iter, err := strconv.Atoi(parts[0][2:])
	salt, err1 := b64.DecodeString(parts[1])
	want, err2 := b64.DecodeString(parts[2])
	if err != nil || err1 != nil || err2 != nil || iter < 1 || iter > pbkdf2MaxIter || len(want) == 0 {
		return false, ErrUnknownHash
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// secret is a string attribute whose mutability is writeOnly (RFC 7643
// §4.1.1 password): clients write it and nothing ever reads it back, so
// the handler hands stores what Config.PasswordHash makes of it.
type secret struct {
	ext  *schema.Extension // nil for the core schema
	attr *schema.Attribute
}

// secretsOf lists rt's top-level writeOnly string attributes.
func secretsOf(rt *schema.ResourceType) []secret {
	var out []secret
	add := func(ext *schema.Extension, attrs []*schema.Attribute) {
		for _, a := range attrs {
			if a.Mutability == schema.WriteOnly && a.Type == schema.String && !a.MultiValued {
				out = append(out, secret{ext: ext, attr: a})
			}
		}
	}
	add(nil, rt.Schema.Attributes)
	for i := range rt.Extensions {
		add(&rt.Extensions[i], rt.Extensions[i].Schema.Attributes)
	}
	return out
}

// protect turns a cleartext secret into what the store keeps: the hash
// Config.PasswordHash makes of it; keep false means store nothing.
func (h *Handler) protect(ctx context.Context, plain string) (stored string, keep bool, err error) {
	if h.cfg.DropPasswords {
		return "", false, nil
	}
	if h.cfg.PasswordHash != nil {
		stored, err = h.cfg.PasswordHash(ctx, plain)
	} else {
		stored, err = HashPassword(plain)
	}
	if err != nil {
		return "", false, fmt.Errorf("handler: hashing a password: %w", err)
	}
	return stored, stored != "", nil
}

// protectResource replaces, in res, the value of each of t's secrets by
// what protect makes of it. res must be the request's own. old, when not
// nil, is the resource res replaces: a secret whose value it already holds
// the default hash of keeps that hash, so that Okta's PUT, which repeats
// the password, changes nothing.
func (h *Handler) protectResource(ctx context.Context, t *resourceType, res, old *schema.Resource) error {
	for _, s := range t.secrets {
		m := secretsMap(res, s)
		if plain, ok := m[s.attr.Name].(string); ok && old != nil && h.cfg.PasswordHash == nil && !h.cfg.DropPasswords {
			if prev, ok := secretsMap(old, s)[s.attr.Name].(string); ok {
				if same, _ := VerifyPassword(prev, plain); same {
					m[s.attr.Name] = prev
					continue
				}
			}
		}
		if err := h.protectMember(ctx, m, s.attr.Name); err != nil {
			return err
		}
	}
	return nil
}

// secretsMap returns the map of res that holds s.
func secretsMap(res *schema.Resource, s secret) map[string]any {
	if s.ext == nil {
		return res.Attributes
	}
	m, _ := res.Attributes[s.ext.Schema.ID].(map[string]any)
	return m
}

// protectMember protects the secret m[name], when it is a non-empty
// string; a value of any other type is left for validation to refuse.
func (h *Handler) protectMember(ctx context.Context, m map[string]any, name string) error {
	plain, ok := m[name].(string)
	if !ok || plain == "" {
		return nil
	}
	stored, keep, err := h.protect(ctx, plain)
	switch {
	case err != nil:
		return err
	case keep:
		m[name] = stored
	default:
		delete(m, name)
	}
	return nil
}

// protectOps rewrites the values that ops write to t's secrets (by path,
// in a path-less value, or in a whole extension's value) into what protect
// makes of them, and returns the operations left: an operation that only
// set a secret that is not kept is dropped.
func (h *Handler) protectOps(ctx context.Context, t *resourceType, ops []patch.Operation) ([]patch.Operation, error) {
	if len(t.secrets) == 0 {
		return ops, nil
	}
	out := ops[:0]
	for _, op := range ops {
		if op.Op == patch.Remove || op.Value == nil {
			out = append(out, op)
			continue
		}
		var err error
		keep := true
		switch p := op.Path; {
		case p == nil:
			op.Value, err = h.protectJSON(ctx, t, op.Value, "")
		case p.Sub != "" || p.Filter != nil:
			// a secret is simple: no path below it names one
		case p.URN != "" && t.rt.Extension(p.URN+":"+p.Name) != nil:
			op.Value, err = h.protectJSON(ctx, t, op.Value, p.URN+":"+p.Name)
		case t.isSecret(p.URN, p.Name):
			op.Value, keep, err = h.protectValue(ctx, op.Value)
		}
		if err != nil {
			return nil, err
		}
		if keep {
			out = append(out, op)
		}
	}
	return out, nil
}

// isSecret reports whether the attribute urn:name of t is a secret; an
// unqualified name is looked up in the extensions too, as PATCH does for
// Entra ID.
func (t *resourceType) isSecret(urn, name string) bool {
	for _, s := range t.secrets {
		if !strings.EqualFold(s.attr.Name, name) {
			continue
		}
		switch {
		case urn == "":
			if s.ext == nil || t.rt.Schema.Attribute(name) == nil {
				return true
			}
		case s.ext == nil && strings.EqualFold(urn, t.rt.Schema.ID), s.ext != nil && strings.EqualFold(urn, s.ext.Schema.ID):
			return true
		}
	}
	return false
}

// protectValue protects a secret's JSON value, a string.
func (h *Handler) protectValue(ctx context.Context, raw json.RawMessage) (json.RawMessage, bool, error) {
	var plain string
	if json.Unmarshal(raw, &plain) != nil || plain == "" {
		return raw, true, nil // not a string, or a clear: for patch to judge
	}
	stored, keep, err := h.protect(ctx, plain)
	if err != nil || !keep {
		return nil, false, err
	}
	b, err := json.Marshal(stored)
	return b, true, err
}

// protectJSON protects the secrets in raw, the object value of a path-less
// operation (ext "") or of the extension ext: members named by a secret's
// name, by its full URN, or inside an extension's object.
func (h *Handler) protectJSON(ctx context.Context, t *resourceType, raw json.RawMessage, ext string) (json.RawMessage, error) {
	mentioned := false
	for _, s := range t.secrets {
		mentioned = mentioned || containsFoldASCII(raw, s.attr.Name)
	}
	if !mentioned {
		return raw, nil
	}
	v, err := document.ParseJSON(raw)
	obj, ok := v.(map[string]any)
	if err != nil || !ok {
		return raw, nil // for patch to refuse
	}
	if err := h.protectObject(ctx, t, obj, ext); err != nil {
		return nil, err
	}
	return json.Marshal(obj)
}

// containsFoldASCII reports whether b holds name with ASCII letters in any
// case, without copying b: whether a path-less value may name a secret.
func containsFoldASCII(b []byte, name string) bool {
	for i := 0; i+len(name) <= len(b); i++ {
		if strings.EqualFold(string(b[i:i+len(name)]), name) {
			return true
		}
	}
	return false
}

// protectObject protects the secrets among obj's members; ext is the
// extension obj is the value of, or "" for a path-less value.
func (h *Handler) protectObject(ctx context.Context, t *resourceType, obj map[string]any, ext string) error {
	for k, v := range obj {
		urn, name := ext, k
		if ext == "" {
			if e := t.rt.Extension(k); e != nil {
				if inner, ok := v.(map[string]any); ok {
					if err := h.protectObject(ctx, t, inner, e.Schema.ID); err != nil {
						return err
					}
				}
				continue
			}
			if u, rest, ok := document.SplitURN(t.rt, k); ok {
				urn, name = u, rest
			}
		}
		if t.isSecret(urn, name) {
			if err := h.protectMember(ctx, obj, k); err != nil {
				return err
			}
		}
	}
	return nil
}
