"""Assignments made from the chapter notebooks, for teachers.

Exercise solutions are marked as in nbgrader::

    def gru_cell(x, h, ...):
        ### BEGIN SOLUTION
        ...the teacher's code...
        ### END SOLUTION

Three exports, one command (``python -m lstm_utils.assignments --format student|nbgrader|otter SRC OUT``):

- ``student`` (default): notebooks whose solutions are ``raise NotImplementedError`` stubs
  (:mod:`.student`); each exercise's check cell tells the student what differs.
- ``nbgrader``: a course's ``source/`` tree with points, hidden tests and locked cells (:mod:`.to_nbgrader`).
- ``otter``: notebooks in otter-grader's format for ``otter assign`` (:mod:`.to_otter`).

Points, student time and hidden tests live in one module per chapter (:mod:`.chapters`).
"""

from lstm_utils.assignments.markers import BEGIN, END, STUB, is_solution_cell, solution_blocks, strip_solutions
from lstm_utils.assignments.student import student_notebook, write_student_versions

__all__ = ["BEGIN", "END", "STUB", "is_solution_cell", "solution_blocks", "strip_solutions",
           "student_notebook", "write_student_versions"]
