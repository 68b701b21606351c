"""From a question to ranked passages: hybrid fusion (vectors, sentence vectors, keywords), the
speakers a question names, the rerank rules, and the verdict whether the evidence is strong enough.
`live` opens it all from settings and reopens when another process re-ingests."""
