"""The benchmarking report (`workvalue report`): one agency's, or the commission's, as HTML or PDF.

gather (the numbers, from the warehouse) -> html (the document, every value escaped as text)
-> pdf (the same document printed by WeasyPrint). Each report made is recorded in the audit trail.
"""
