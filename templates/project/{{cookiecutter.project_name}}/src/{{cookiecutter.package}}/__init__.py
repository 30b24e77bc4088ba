"""{{ cookiecutter.package }}: custom Keras 3 components.

Importing the package imports every subpackage, and each subpackage imports its modules, so
that `import {{ cookiecutter.package }}` registers every component for loading saved models.
"""

from . import activations as activations
from . import callbacks as callbacks
from . import constraints as constraints
from . import initializers as initializers
from . import layers as layers
from . import losses as losses
from . import metrics as metrics
from . import models as models
from . import optimizers as optimizers
from . import regularizers as regularizers
