# Creates one allocated server's chain in the current $KUBECONFIG:
#   Server/ServerClass -> ServerBinding -> MetalMachine -> owner Machine -> bootstrap Secret.
# Usage: create_chain UUID MACHINE CLASS BOOTSTRAP_FILE [unlabelled]
# (unlabelled: the bootstrap Secret lacks the cluster-name label, so ferrum-metadata's Secret
# cache does not hold it and it is read on demand.)
create_chain() {
  local uuid=$1 machine=$2 class=$3 file=$4 secret_label=${5:-labelled}
  kubectl apply -f - >/dev/null <<YAML
apiVersion: metal.sidero.dev/v1alpha2
kind: ServerClass
metadata:
  name: $class
spec:
  configPatches:
  - op: add
    path: /machine/install/extraKernelArgs
    value: [console=ttyS0]
  strategicPatches:
  - |
    machine:
      install:
        wipe: true
---
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: $uuid
spec:
  accepted: true
  configPatches:
  - op: add
    path: /machine/install/extraKernelArgs/-
    value: net.ifnames=0
  - op: copy
    from: /machine/install/image
    path: /machine/installImageCopy
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: Machine
metadata:
  name: $machine
  namespace: default
  labels:
    cluster.x-k8s.io/cluster-name: demo
spec:
  clusterName: demo
  bootstrap:
    dataSecretName: $machine-bootstrap
  infrastructureRef:
    apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
    kind: MetalMachine
    namespace: default
    name: $machine-metal
YAML
  local muid
  muid=$(kubectl get machine -n default "$machine" -o jsonpath='{.metadata.uid}')
  kubectl create secret generic -n default "$machine-bootstrap" --from-file=value="$file" >/dev/null
  if [[ $secret_label != unlabelled ]]; then
    kubectl label secret -n default "$machine-bootstrap" cluster.x-k8s.io/cluster-name=demo >/dev/null
  fi
  kubectl apply -f - >/dev/null <<YAML
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalMachine
metadata:
  name: $machine-metal
  namespace: default
  ownerReferences:
  - apiVersion: cluster.x-k8s.io/v1beta1
    kind: Machine
    name: $machine
    uid: $muid
spec:
  serverClassRef:
    apiVersion: metal.sidero.dev/v1alpha2
    kind: ServerClass
    name: $class
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: ServerBinding
metadata:
  name: $uuid
spec:
  metalMachineRef:
    kind: MetalMachine
    namespace: default
    name: $machine-metal
  serverClassRef:
    apiVersion: metal.sidero.dev/v1alpha2
    kind: ServerClass
    name: $class
YAML
}
