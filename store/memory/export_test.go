package memory

// FoldKey exposes foldKey to the tests.
var FoldKey = foldKey
