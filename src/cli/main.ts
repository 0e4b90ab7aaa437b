console.log('certlens');
