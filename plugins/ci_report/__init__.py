"""Show content problems and inspection findings where editors look in CI.

    python -m plugins.ci_report --problems ci-report/problems.json --inspection output-inspection/report.json

Reads what the build recorded (GAZETTE_PROBLEMS_FILE, see content_model.problems) and the
inspection's report.json, and writes, each once:
- GitHub Actions annotations on the file and line (`::error file=…,line=…::`) when GITHUB_ACTIONS
  is set, and a table in the job summary (GITHUB_STEP_SUMMARY) with links to the lines;
- a GitLab code-quality report (--codequality FILE), which merge requests show inline.
Not a Pelican plugin: the Makefile's validate and publish targets run it after the build.
"""
