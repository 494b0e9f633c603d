"""Analytics writes nothing: figures are read by analytics.selectors and files built by analytics.exports. The one
write-side hook, invalidating cached figures after an attempt is submitted or graded, is analytics.cache."""
