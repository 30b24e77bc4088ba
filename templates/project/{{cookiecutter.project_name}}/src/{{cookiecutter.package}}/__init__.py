"""{{ cookiecutter.package }}: custom Keras 3 components.

Importing the package imports every subpackage, and each subpackage imports its modules, so
that `import {{ cookiecutter.package }}` registers every component for loading saved models.
"""

{% for subpackage in cookiecutter._subpackages.split() -%}
from . import {{ subpackage }} as {{ subpackage }}
{% endfor -%}
