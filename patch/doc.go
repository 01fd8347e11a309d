// Package patch implements SCIM PATCH (RFC 7644 §3.5.2): it decodes a
// PatchOp request and applies its operations to a resource, exactly and
// atomically, so hosts never re-implement PATCH.
//
// [Decode] reads the request; [Apply] returns a new resource and never
// changes the one it is given. Either every operation applies or none does,
// and the result is checked with the schema's rules (document.ValidatePatch),
// so a PATCH can never store what a PUT would reject.
//
// Every path form of RFC 7644 §3.5.2 is supported: attributes
// ("displayName"), sub-attributes ("name.givenName"), multi-valued
// attributes ("emails", whose add appends and whose replace replaces all),
// value paths ("members[value eq \"2819c223\"]",
// "emails[type eq \"work\"].value"), extension attributes by URN
// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"),
// whole extensions, and no path at all (the value object's members are
// applied one by one).
//
// A JSON object given for a single-valued complex attribute is merged
// into it (RFC 7644 §3.5.2.1, §3.5.2.3): its sub-attributes are set, those
// given as null cleared, the others kept, so {} changes nothing. The values
// of one operation may hold "primary": true once (RFC 7643 §2.4), whether
// they are added or replace the attribute's; a primary value added demotes
// the stored ones. Removing a required attribute, or leaving it
// unassigned, is scimType mutability (RFC 7644 §3.5.2.2).
//
// # Identity provider dialects
//
// By default Apply accepts what Microsoft Entra ID and Okta send although
// RFC 7644 does not describe it:
//   - "op" in any case ("Add", "Replace", "Remove");
//   - booleans as strings ("False");
//   - "remove" on a multi-valued attribute with a "value" removes only the
//     listed values (Entra's member removal);
//   - path-less values whose keys are paths ("name.givenName",
//     "urn:...:enterprise:2.0:User:employeeNumber");
//   - unqualified extension attributes ("manager"), and manager given as a
//     bare id or a one-element array; "" (which strict mode keeps as the
//     string it is) and null clear an attribute, and so does {"value": ""}
//     for a complex attribute with a value;
//   - "replace" on a value path that matches nothing adds a value built from
//     the filter's "eq" terms (Entra's emails[type eq "work"].value);
//   - a path-less value repeating the resource's unchanged "id" (Okta), and
//     echoed "schemas" and "meta", are ignored;
//   - a single value object where an array belongs.
//
// Options.Strict turns them off and answers with the RFC's errors.
package patch
