"""The job list: what the board asks (``query``), the search index's MATCH expressions (``search``) and the matches
a text keeps per connection (``matches``), the SQL of its filters and windows (``sql``), the choice of plan
(``planner``), counts (``counts``), windows (``windows``) and the background walk's bookmarks (``bookmarks``)."""
