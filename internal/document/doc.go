// Package document is scimkit's engine for resource documents: it reads
// request bodies into [schema.Resource] values ([Decode], with a direct
// decoder for the bodies identity providers send every day and a generic
// path for the rest), applies the write rules of RFC 7643 §2 and §7
// ([ValidateCreate], [ValidateReplace], [ValidatePatch]), and writes
// responses under "attributes" and "excludedAttributes" ([Projection],
// [AppendJSON]). A store that keeps resources as the JSON AppendJSON writes
// hands them out as [Encoded]; [AppendEncoded] writes one under any
// projection without decoding it whole, and [DecodeEncoded] reads it back.
//
// It is internal because its byte layouts and options are scimkit's own:
// hosts declare schemas in package schema and never call this package.
//
// By default decoding accepts what Microsoft Entra ID and Okta send although
// RFC 7643 does not describe it (see [DecodeOptions]); DecodeOptions.Strict
// turns that off.
package document
