"""See the decision: the report page (``page``), its charts (``charts``) and the data both draw (``view``)."""
