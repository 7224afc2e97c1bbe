-- Numbers of the decisions on requests for rectification (HBO-<year>-<n>); gaps are harmless.
CREATE SEQUENCE decision_number_seq;
